import type { PortalDb } from '../../db/client.ts';
import type { Clock } from '../clock.ts';
import type { Keyring } from '../security/field-encryption.ts';
import { londonWallClock } from '../scheduling/calendar.ts';
import { recordAudit, recordAuditHead, verifyAuditChain } from '../audit/audit.ts';
import { createBackup, latestManifestHeads, listBackups, pruneBackups } from '../backup/backup.ts';
import { runRetention, type RetentionReport } from './run.ts';

/**
 * The data lifecycle's daily jobs, inside the server: at RETENTION_TIME the retention run plus the daily audit
 * chain check (its head goes into audit_heads and the log), and at BACKUP_TIME an encrypted backup, then pruning.
 * Checked every minute; each job runs once per London day, so a restart or a slow minute never runs it twice.
 */

export interface LifecycleLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface LifecycleJobOptions {
  db: PortalDb;
  keyring: Keyring;
  clock: Clock;
  config: {
    mailDir: string;
    backupDir: string;
    backupTime: string;
    backupKeepDaily: number;
    backupKeepWeekly: number;
    retentionTime: string;
  };
  log: LifecycleLog;
  intervalMs?: number;
}

export interface LifecycleJobs {
  start(): void;
  stop(): void;
  /** Runs whatever is due at `now` (tests call this directly). */
  runDue(now?: Date): Promise<{ retention: RetentionReport | null; backup: string | null }>;
  dailyRetention(now: Date): RetentionReport;
  dailyBackup(now: Date): Promise<string>;
}

function minutesOf(time: string): number {
  const [h, m] = time.split(':').map(Number);
  return h! * 60 + m!;
}

export function createLifecycleJobs(options: LifecycleJobOptions): LifecycleJobs {
  const { db, keyring, clock, config, log } = options;
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  let lastRetentionDate: string | null = null;

  function dailyRetention(now: Date): RetentionReport {
    const report = runRetention(db, { keyring, now, dryRun: false, mailDir: config.mailDir });
    const check = verifyAuditChain(db, { externalHeads: latestManifestHeads(config) });
    const head = recordAuditHead(db, 'daily', now);
    if (check.ok) {
      log.info({ auditHead: head, retention: report }, 'daily retention run and audit chain head');
    } else {
      log.error(
        { auditHead: head, brokenAtSeq: check.brokenAtSeq, problem: check.problem },
        'audit chain check failed',
      );
    }
    return report;
  }

  async function dailyBackup(now: Date): Promise<string> {
    const backup = await createBackup(db.$client, { dir: config.backupDir, kind: 'daily', keyring, now });
    recordAuditHead(db, 'backup', now);
    recordAudit(
      db,
      {
        actorId: null,
        action: 'backup_taken',
        detail: { kind: 'daily', auditHeadSeq: backup.manifest.auditHead.seq },
      },
      now,
    );
    const pruned = pruneBackups(config.backupDir, {
      keepDaily: config.backupKeepDaily,
      keepWeekly: config.backupKeepWeekly,
    });
    log.info(
      { backup: backup.path, auditHead: backup.manifest.auditHead, pruned: pruned.removed.length },
      'daily backup taken',
    );
    return backup.path;
  }

  async function runDue(now = clock.now()) {
    const { date, minutes } = londonWallClock(now);
    let retention: RetentionReport | null = null;
    let backup: string | null = null;
    if (minutes >= minutesOf(config.retentionTime) && lastRetentionDate !== date) {
      lastRetentionDate = date;
      retention = dailyRetention(now);
    }
    if (minutes >= minutesOf(config.backupTime)) {
      const today = listBackups(config.backupDir).some(
        (file) => file.kind === 'daily' && londonWallClock(file.takenAt).date === date,
      );
      if (!today) backup = await dailyBackup(now);
    }
    return { retention, backup };
  }

  async function tick() {
    if (!timer || running) return;
    running = true;
    try {
      await runDue();
    } catch (error) {
      log.error({ error: error instanceof Error ? error.message : String(error) }, 'data lifecycle job failed');
    } finally {
      running = false;
    }
  }

  return {
    start() {
      if (timer) return;
      timer = setInterval(() => void tick(), options.intervalMs ?? 60_000);
      timer.unref();
      setImmediate(() => void tick());
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
    runDue,
    dailyRetention,
    dailyBackup,
  };
}
