import nodemailer from 'nodemailer';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One email ready to go, as the outbox worker hands it to a transport. */
export interface MailToSend {
  /** The outbox id: names the .eml file, so a second attempt overwrites rather than duplicates. */
  outboxId: string;
  /** `<outbox-id@host>`: stable across retries, so a mail system can recognise a repeat. */
  messageId: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  /** When the message was queued: the same Date header on every attempt. */
  date: Date;
}

export interface MailSendResult {
  /** Recipients the server refused. The message still counts as sent to the others. */
  rejectedCount: number;
}

/** Where email goes. Swappable so tests and development need no mail server. */
export interface Mailer {
  readonly description: string;
  send(mail: MailToSend): Promise<MailSendResult>;
  close(): void;
}

function messageOptions(mail: MailToSend) {
  return {
    from: mail.from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    messageId: mail.messageId,
    date: mail.date,
    // Alerts are text only; nothing from the message should make a transport fetch a file or URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/**
 * SMTP through nodemailer (`SMTP_URL`). Short timeouts: a hung server must fail an attempt (and be retried
 * later) well inside the worker's claim on the message. One connection per message keeps a broken
 * connection from affecting the next one.
 */
export function createSmtpMailer(smtpUrl: string): Mailer {
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  const host = new URL(smtpUrl).host;
  return {
    description: `SMTP server ${host}`,
    async send(mail) {
      const info = await transport.sendMail(messageOptions(mail));
      return { rejectedCount: info.rejected.length };
    },
    close() {
      transport.close();
    },
  };
}

/** No SMTP server configured: each message becomes `<mailDir>/<queued time>-<outbox id>.eml`. */
export function createFileMailer(mailDir: string): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    description: `.eml files in ${mailDir}`,
    async send(mail) {
      const info = await transport.sendMail(messageOptions(mail));
      mkdirSync(mailDir, { recursive: true });
      const name = `${mail.date.toISOString().replace(/[:.]/g, '-')}-${mail.outboxId}.eml`;
      const temporary = join(mailDir, `.${name}.tmp`);
      // Written aside then renamed, so a mail program never sees half a message.
      writeFileSync(temporary, info.message as Buffer, { mode: 0o600 });
      renameSync(temporary, join(mailDir, name));
      return { rejectedCount: 0 };
    },
    close() {
      transport.close();
    },
  };
}

export function createMailer(config: { smtpUrl: string | null; mailDir: string }): Mailer {
  return config.smtpUrl ? createSmtpMailer(config.smtpUrl) : createFileMailer(config.mailDir);
}
