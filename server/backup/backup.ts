import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { deriveSubkey, decryptField, FieldDecryptionError, type Keyring } from '../security/field-encryption.ts';
import { auditChainKeyFor, verifyAuditChain, type AuditHead, type ExternalAuditHead } from '../audit/audit.ts';
import type { PortalDb } from '../../db/client.ts';
import { schema } from '../../db/client.ts';
import { encryptedColumns } from './encrypted-columns.ts';

/**
 * Encrypted, verified backups (docs/backups.md).
 *
 * A backup is SQLite's online backup of the live database (safe while the portal writes), encrypted with
 * AES-256-GCM under a key derived from DATA_KEY (HKDF, purpose "backup"), in one file:
 *
 *   "SLBACKUP1\n" | header length (4 bytes, big-endian) | header JSON | ciphertext | GCM tag (16 bytes)
 *
 * The header holds the key id, the IV and the manifest (time, schema version, row counts, audit chain head) and
 * is authenticated as the GCM AAD, so neither can be edited without the restore failing. Files are 0600 in a
 * 0700 folder. Nothing here ever writes to the live database file.
 */

const MAGIC = Buffer.from('SLBACKUP1\n', 'utf8');
const TAG_BYTES = 16;
export const BACKUP_EXTENSION = '.slbak';
export type BackupKind = 'daily' | 'manual' | 'migration';

export interface BackupManifest {
  format: 1;
  kind: BackupKind;
  takenAt: string;
  /** The newest migration applied, and how many: a restore into older code can be refused. */
  schema: { migrations: number; lastMigrationAt: number | null };
  /** Rows per table at the moment of the backup. */
  counts: Record<string, number>;
  /** The audit chain head in the backup (seq 0 when the trail is empty). */
  auditHead: AuditHead;
}

interface BackupHeader {
  keyId: string;
  iv: string;
  manifest: BackupManifest;
}

export function backupKey(keyring: Keyring, keyId = keyring.derivationKeyId): Buffer {
  if (keyId !== keyring.derivationKeyId) {
    // Derived keys come from the derivation key only; another id means DATA_KEY changed since the backup.
    throw new BackupError(`This backup was made with key "${keyId}", which is not the derivation key in DATA_KEY.`);
  }
  return deriveSubkey(keyring, 'backup');
}

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

function stampOf(date: Date): string {
  return date.toISOString().replace(/[:.]/g, '-');
}

function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

function tableNames(sqlite: Database.Database): string[] {
  return (
    sqlite
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%' ORDER BY name",
      )
      .all() as Array<{ name: string }>
  ).map((row) => row.name);
}

export function tableCounts(sqlite: Database.Database): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of tableNames(sqlite)) {
    counts[name] = (sqlite.prepare(`SELECT COUNT(*) AS n FROM "${name}"`).get() as { n: number }).n;
  }
  return counts;
}

function schemaVersion(sqlite: Database.Database): BackupManifest['schema'] {
  try {
    const row = sqlite.prepare('SELECT COUNT(*) AS n, MAX(created_at) AS last FROM __drizzle_migrations').get() as {
      n: number;
      last: number | null;
    };
    return { migrations: row.n, lastMigrationAt: row.last };
  } catch {
    return { migrations: 0, lastMigrationAt: null };
  }
}

function auditHeadOf(sqlite: Database.Database): AuditHead {
  try {
    const row = sqlite.prepare('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1').get() as
      AuditHead | undefined;
    return row ?? { seq: 0, hash: '0'.repeat(64) };
  } catch {
    return { seq: 0, hash: '0'.repeat(64) };
  }
}

export interface CreateBackupOptions {
  dir: string;
  kind: BackupKind;
  keyring: Keyring;
  now: Date;
}

export interface CreatedBackup {
  path: string;
  manifest: BackupManifest;
}

/**
 * Takes an online backup of `sqlite` (the live connection, or another connection to the live file) into a
 * private temporary file, reads its manifest, encrypts it into `<dir>/<kind>-<time>.slbak` and removes the
 * temporary copy.
 */
export async function createBackup(sqlite: Database.Database, options: CreateBackupOptions): Promise<CreatedBackup> {
  ensurePrivateDir(options.dir);
  const name = `${options.kind}-${stampOf(options.now)}`;
  const plain = join(options.dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  // Created empty with 0600 first, so the plain copy is never readable by anyone else.
  writeFileSync(plain, '', { mode: 0o600 });
  try {
    await sqlite.backup(plain);
    chmodSync(plain, 0o600);
    const copy = new Database(plain, { readonly: true });
    let manifest: BackupManifest;
    try {
      manifest = {
        format: 1,
        kind: options.kind,
        takenAt: options.now.toISOString(),
        schema: schemaVersion(copy),
        counts: tableCounts(copy),
        auditHead: auditHeadOf(copy),
      };
    } finally {
      copy.close();
    }
    const header: BackupHeader = {
      keyId: options.keyring.derivationKeyId,
      iv: randomBytes(12).toString('base64'),
      manifest,
    };
    const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(headerBytes.length);
    const cipher = createCipheriv('aes-256-gcm', backupKey(options.keyring), Buffer.from(header.iv, 'base64'));
    cipher.setAAD(headerBytes);
    const ciphertext = Buffer.concat([cipher.update(readFileSync(plain)), cipher.final()]);
    const path = join(options.dir, `${name}${BACKUP_EXTENSION}`);
    const partial = `${path}.partial`;
    writeFileSync(partial, Buffer.concat([MAGIC, length, headerBytes, ciphertext, cipher.getAuthTag()]), {
      mode: 0o600,
    });
    chmodSync(partial, 0o600);
    renameSync(partial, path);
    return { path, manifest };
  } finally {
    rmSync(plain, { force: true });
  }
}

/** Reads a backup's header without decrypting it (the manifest is authenticated only by a full restore). */
export function readBackupHeader(file: string): BackupHeader {
  const fd = openSync(file, 'r');
  try {
    const start = Buffer.alloc(MAGIC.length + 4);
    if (readSync(fd, start, 0, start.length, 0) !== start.length || !start.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new BackupError(`${basename(file)} is not a portal backup.`);
    }
    const length = start.readUInt32BE(MAGIC.length);
    if (length > 10 * 1024 * 1024) throw new BackupError(`${basename(file)} has a damaged header.`);
    const headerBytes = Buffer.alloc(length);
    readSync(fd, headerBytes, 0, length, start.length);
    return JSON.parse(headerBytes.toString('utf8')) as BackupHeader;
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(`${basename(file)} has a damaged header.`);
  } finally {
    closeSync(fd);
  }
}

/** Decrypts a backup into memory; fails if anything in the file (header or data) was changed or the key is wrong. */
export function decryptBackup(file: string, keyring: Keyring): { manifest: BackupManifest; data: Buffer } {
  const bytes = readFileSync(file);
  if (bytes.length < MAGIC.length + 4 + TAG_BYTES || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new BackupError(`${basename(file)} is not a portal backup.`);
  }
  const length = bytes.readUInt32BE(MAGIC.length);
  const headerStart = MAGIC.length + 4;
  const headerBytes = bytes.subarray(headerStart, headerStart + length);
  let header: BackupHeader;
  try {
    header = JSON.parse(headerBytes.toString('utf8')) as BackupHeader;
  } catch {
    throw new BackupError(`${basename(file)} has a damaged header.`);
  }
  const decipher = createDecipheriv('aes-256-gcm', backupKey(keyring, header.keyId), Buffer.from(header.iv, 'base64'));
  decipher.setAAD(headerBytes);
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  try {
    const data = Buffer.concat([
      decipher.update(bytes.subarray(headerStart + length, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]);
    return { manifest: header.manifest, data };
  } catch {
    throw new BackupError(
      `${basename(file)} could not be decrypted: it was changed or damaged, or DATA_KEY is not the key it was made with.`,
    );
  }
}

export interface RestoreCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface RestoreResult {
  ok: boolean;
  path: string;
  manifest: BackupManifest;
  checks: RestoreCheck[];
}

/**
 * Restores a backup into a NEW file and verifies it. Refuses any existing path (so it can never overwrite the
 * live database). On a failed check the restored file is removed, so nobody starts the portal on it by mistake.
 */
export function restoreBackup(
  file: string,
  to: string,
  keyring: Keyring,
  options: { liveDatabasePath?: string } = {},
): RestoreResult {
  const target = resolve(to);
  if (options.liveDatabasePath && target === resolve(options.liveDatabasePath)) {
    throw new BackupError('Refusing to restore over the live database: choose a new file with --to.');
  }
  if (existsSync(target)) throw new BackupError(`${target} already exists: restore only into a new file.`);
  const { manifest, data } = decryptBackup(file, keyring);
  writeFileSync(target, data, { mode: 0o600, flag: 'wx' });
  chmodSync(target, 0o600);
  const checks: RestoreCheck[] = [];
  const sqlite = new Database(target);
  try {
    const integrity = sqlite.pragma('integrity_check', { simple: true }) as string;
    checks.push({ name: 'integrity_check', ok: integrity === 'ok', detail: integrity });
    const violations = sqlite.pragma('foreign_key_check') as unknown[];
    checks.push({
      name: 'foreign_key_check',
      ok: violations.length === 0,
      detail: violations.length === 0 ? 'no violations' : `${violations.length} violation(s)`,
    });
    checks.push(checkEncryptedValues(sqlite, keyring));
    const db = drizzle({ client: sqlite, schema }) as PortalDb;
    const chain = verifyAuditChain(db, {
      chainKey: auditChainKeyFor(keyring),
      externalHeads: [{ source: 'the backup manifest', ...manifest.auditHead }],
    });
    checks.push({
      name: 'audit chain',
      ok: chain.ok,
      detail: chain.ok ? `${chain.entries} entries, head ${chain.head.seq} as in the manifest` : chain.problem,
    });
    const counts = tableCounts(sqlite);
    const mismatches = Object.keys({ ...manifest.counts, ...counts }).filter(
      (table) => manifest.counts[table] !== counts[table],
    );
    checks.push({
      name: 'row counts',
      ok: mismatches.length === 0,
      detail:
        mismatches.length === 0
          ? `${Object.keys(counts).length} tables match the manifest`
          : `differ from the manifest in ${mismatches.join(', ')}`,
    });
  } finally {
    sqlite.close();
  }
  const ok = checks.every((check) => check.ok);
  if (!ok) {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
  }
  return { ok, path: target, manifest, checks };
}

function checkEncryptedValues(sqlite: Database.Database, keyring: Keyring): RestoreCheck {
  let checked = 0;
  for (const spec of encryptedColumns()) {
    let rows: Array<{ id: string; value: string }>;
    try {
      rows = sqlite
        .prepare(
          `SELECT ${spec.idColumn} AS id, ${spec.column} AS value FROM ${spec.table} WHERE ${spec.column} IS NOT NULL`,
        )
        .all() as Array<{ id: string; value: string }>;
    } catch {
      continue; // a table this backup's schema does not have yet
    }
    for (const row of rows) {
      try {
        decryptField(keyring, row.value, spec.aad(String(row.id)));
        checked += 1;
      } catch (error) {
        if (!(error instanceof FieldDecryptionError)) throw error;
        return {
          name: 'encrypted values',
          ok: false,
          detail: `${spec.table}.${spec.column} of row ${String(row.id)} does not decrypt (${error.reason})`,
        };
      }
    }
  }
  return { name: 'encrypted values', ok: true, detail: `${checked} values decrypt` };
}

export interface BackupFile {
  path: string;
  kind: BackupKind;
  takenAt: Date;
}

const FILE_PATTERN = /^(daily|manual|migration)-(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z\.slbak$/;

export function listBackups(dir: string): BackupFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => {
      const match = FILE_PATTERN.exec(name);
      if (!match) return null;
      const takenAt = new Date(`${match[2]}T${match[3]}:${match[4]}:${match[5]}.${match[6]}Z`);
      return { path: join(dir, name), kind: match[1] as BackupKind, takenAt };
    })
    .filter((file): file is BackupFile => file !== null)
    .sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime());
}

function isoWeekKey(date: Date): string {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const day = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - day);
  const yearStart = new Date(Date.UTC(d.getUTCFullYear(), 0, 1));
  const week = Math.ceil(((d.getTime() - yearStart.getTime()) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

export interface PruneOptions {
  keepDaily: number;
  keepWeekly: number;
}

/**
 * Keeps, for each kind of backup (daily and manual together, migration separately), the newest backup of each
 * of the last `keepDaily` days that have one and the newest of each of the last `keepWeekly` ISO weeks; removes
 * the rest, and any temporary file left by a crash.
 */
export function pruneBackups(dir: string, options: PruneOptions): { kept: string[]; removed: string[] } {
  const all = listBackups(dir);
  const keep = new Set<string>();
  for (const group of [all.filter((f) => f.kind !== 'migration'), all.filter((f) => f.kind === 'migration')]) {
    const days = new Set<string>();
    const weeks = new Set<string>();
    for (const file of group) {
      const day = file.takenAt.toISOString().slice(0, 10);
      if (!days.has(day) && days.size < options.keepDaily) {
        days.add(day);
        keep.add(file.path);
      }
      const week = isoWeekKey(file.takenAt);
      if (!weeks.has(week) && weeks.size < options.keepWeekly) {
        weeks.add(week);
        keep.add(file.path);
      }
    }
  }
  const removed: string[] = [];
  for (const file of all) {
    if (!keep.has(file.path)) {
      rmSync(file.path, { force: true });
      removed.push(file.path);
    }
  }
  if (existsSync(dir)) {
    for (const name of readdirSync(dir)) {
      // Unencrypted copies (a crash mid-backup, or the old plain migration copies): never kept past an hour.
      if (name.endsWith('.tmp') || name.endsWith('.partial') || /^before-(migration|key-rotation)-.*\.db$/.test(name)) {
        const path = join(dir, name);
        if (Date.now() - statSync(path).mtimeMs > 60 * 60_000) {
          rmSync(path, { force: true });
          removed.push(path);
        }
      }
    }
  }
  return { kept: [...keep], removed };
}

/** The audit heads recorded in the newest backups' manifests, to compare with the live chain. */
export function latestManifestHeads(config: { backupDir: string }, limit = 3): ExternalAuditHead[] {
  const heads: ExternalAuditHead[] = [];
  for (const file of listBackups(config.backupDir)
    .filter((f) => f.kind !== 'migration')
    .slice(0, limit)) {
    try {
      const { manifest } = readBackupHeader(file.path);
      heads.push({ source: `the backup of ${manifest.takenAt}`, ...manifest.auditHead });
    } catch {
      // A damaged file is reported by the restore drill, not here.
    }
  }
  return heads;
}
