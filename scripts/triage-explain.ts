// npm run triage:explain -- --at <ISO time> [--db <portal.db> | --live] <referral.json>
//
// Prints what the triage rules would decide for a referral in the shape POST /api/referrals accepts:
// {priority, reasons, flags, contactBy, proposedSlot, ruleVersion, officeId, contactByNotes}. Nothing is stored.
// Without --db it uses a fresh database seeded from server/offices/offices.config.json (office hours and
// closures, no caseworkers, so the slot is the deadline fallback); with --db it reads a real database
// read-only, so the calendar, caseworker patterns and bookings are the live ones.
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openDatabase, schema, type PortalDb } from '../db/client.ts';
import { loadEntryPointConfig } from '../server/config.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { explainReferral } from '../server/alerts/explain.ts';
import { seedOffices } from '../server/offices/seed.ts';

const USAGE =
  'Usage: npm run triage:explain -- --at <ISO time, e.g. 2026-12-03T10:00:00Z> [--db <portal.db> | --live] <referral.json>';

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      at: { type: 'string' },
      db: { type: 'string' },
      live: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
} catch (error) {
  fail(`${(error as Error).message}\n${USAGE}`, 2);
}
if (parsed.values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const [file, ...extra] = parsed.positionals;
if (!file || extra.length > 0) fail(USAGE, 2);
if (!parsed.values.at) fail(`--at is required so the answer does not depend on when you run it.\n${USAGE}`, 2);
const at = new Date(parsed.values.at);
// Only full ISO instants: a bare date or a time without a zone would be read in the machine's time zone.
if (Number.isNaN(at.getTime()) || !/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(parsed.values.at)) {
  fail(`--at must be an ISO time with a zone, such as 2026-12-03T10:00:00Z or 2026-06-03T10:00:00+01:00.\n${USAGE}`, 2);
}

let body: unknown;
try {
  body = JSON.parse(readFileSync(file, 'utf8'));
} catch (error) {
  fail(`Could not read ${file} as JSON: ${(error as Error).message}`, 2);
}

// .env and the environment through the one schema, like every entry point: --live reads the server's own
// database (DATABASE_PATH, or DATA_DIR/portal.db), read-only.
const { config } = loadEntryPointConfig();
const dbFile = parsed.values.live ? config.databasePath : parsed.values.db;
let db: PortalDb;
if (dbFile) {
  const sqlite = new Database(dbFile, { readonly: true, fileMustExist: true });
  db = drizzle({ client: sqlite, schema }) as PortalDb;
} else {
  const opened = openDatabase(':memory:');
  await migrateDatabase(opened.sqlite);
  seedOffices(opened.db, at);
  db = opened.db;
}

const outcome = explainReferral(db, body, at);
if (!outcome.ok) {
  process.stderr.write(`${JSON.stringify({ errors: outcome.errors }, null, 2)}\n`);
  process.exit(1);
}
process.stdout.write(`${JSON.stringify(outcome.explanation, null, 2)}\n`);
