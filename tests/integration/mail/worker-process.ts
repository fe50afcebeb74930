// The outbox worker alone in its own process, so a test can kill it with SIGKILL in the middle of a send.
// Environment: PORTAL_DB, PORTAL_DATA_KEY, PORTAL_SMTP_URL.
import { openDatabase } from '../../../db/client.ts';
import { systemClock } from '../../../server/clock.ts';
import { createSmtpMailer } from '../../../server/mail/transport.ts';
import { createOutboxWorker } from '../../../server/mail/worker.ts';
import { parseDataKeys } from '../../../server/security/field-encryption.ts';

const { sqlite, db } = openDatabase(process.env.PORTAL_DB!);
const worker = createOutboxWorker({
  db,
  keyring: parseDataKeys(process.env.PORTAL_DATA_KEY!),
  mailer: createSmtpMailer(process.env.PORTAL_SMTP_URL!),
  clock: systemClock,
  from: 'alerts@example.org',
  messageIdHost: 'portal.example.org',
  pollIntervalMs: 50,
});
worker.start();
process.stdout.write('worker started\n');
process.on('SIGTERM', () => {
  void worker.stop().then(() => {
    sqlite.close();
    process.exit(0);
  });
});
