// A real SMTP server for tests (smtp-server), keeping every message it accepted, parsed with mailparser.
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface ReceivedMail {
  raw: string;
  parsed: ParsedMail;
  envelopeTo: string[];
}

export interface TestSmtpServer {
  port: number;
  url: string;
  received: ReceivedMail[];
  /** Makes the server answer DATA with a temporary failure (451) while set. */
  failWith: string | null;
  /** While set, the server never answers DATA: a send stays in flight (for crash tests). */
  holdData: boolean;
  /** Accept this many messages normally, then hold every later one (as holdData). */
  holdAfter: number | null;
  /** Resolves once `count` messages have been accepted. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  /** Resolves when some message is being held (holdData). */
  waitForHeld(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts on 127.0.0.1 (port 0 = any free port; pass an old port to bring "the same server" back up). */
export async function startSmtpServer(port = 0): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  /** Each returns true once satisfied, and is then dropped. */
  let waiters: Array<() => boolean> = [];
  let heldResolve: (() => void) | null = null;
  const state: TestSmtpServer = {
    port: 0,
    url: '',
    received,
    failWith: null,
    holdData: false,
    holdAfter: null,
    waitFor(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (received.length >= count) {
            clearTimeout(timer);
            resolve(received);
            return true;
          }
          return false;
        };
        const timer = setTimeout(
          () => reject(new Error(`expected ${count} messages, got ${received.length}`)),
          timeoutMs,
        );
        if (!check()) waiters.push(check);
      });
    },
    waitForHeld(timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no message was held')), timeoutMs);
        heldResolve = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    },
    close: async () => {},
  };

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    // Tests restart the server on the same port; do not linger on close.
    closeTimeout: 100,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (state.holdData || (state.holdAfter !== null && received.length >= state.holdAfter)) {
          heldResolve?.();
          return; // never answer: the client's send stays in flight
        }
        if (state.failWith) {
          const error = new Error(state.failWith) as Error & { responseCode: number };
          error.responseCode = 451;
          callback(error);
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const envelopeTo = session.envelope.rcptTo.map((address) => address.address);
        simpleParser(raw).then(
          (parsed) => {
            received.push({ raw, parsed, envelopeTo });
            callback();
            waiters = waiters.filter((waiter) => !waiter());
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.server.address() as AddressInfo;
  state.port = address.port;
  state.url = `smtp://127.0.0.1:${address.port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
    });
  return state;
}
