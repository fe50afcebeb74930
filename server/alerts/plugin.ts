import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { AppConfig } from '../config.ts';
import type { Services } from '../services.ts';
import { createMailer, type Mailer } from '../mail/transport.ts';
import { createOutboxWorker, type OutboxWorker } from '../mail/worker.ts';
import { seedOffices } from '../offices/seed.ts';
import { createAlertScheduler, type AlertScheduler } from './scheduler.ts';
import { uncontactedReferrals } from './referrals.ts';
import { runCaseworkSweep } from '../casework/sweep.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Sends the email outbox. Tests may call `mailWorker.runOnce(now)`. */
    mailWorker: OutboxWorker;
    /** Queues escalations and the daily digest every minute. Tests may call `alertScheduler.runOnce(now)`. */
    alertScheduler: AlertScheduler;
  }
}

export interface AlertsPluginOptions {
  config: AppConfig;
  services: Services;
  /** Replaces the SMTP or .eml transport (tests). */
  mailer?: Mailer;
  /** Start the outbox worker when the app is ready (default true). */
  startMailWorker?: boolean;
  /** Start the escalation and digest scheduler when the app is ready (default true). */
  startAlertScheduler?: boolean;
  /** Offices config file to seed from (default server/offices/offices.config.json). */
  officesConfigPath?: string;
}

function hostOf(publicBaseUrl: string): string {
  return new URL(publicBaseUrl).hostname;
}

/**
 * Seeds offices on first start, then runs the two background jobs of this process: the outbox worker
 * (started when the app is ready, woken whenever mail is queued) and the alert scheduler. On close both
 * stop, the worker after finishing and recording any send in progress, before the database closes.
 */
async function alerts(app: FastifyInstance, options: AlertsPluginOptions): Promise<void> {
  const { config, services } = options;
  const seeded = seedOffices(services.db, services.clock.now(), options.officesConfigPath);
  if (seeded.officesSeeded.length > 0) app.log.info({ offices: seeded.officesSeeded }, 'offices seeded from config');

  const mailer = options.mailer ?? createMailer(config);
  const log = app.log.child({ component: 'alerts' });
  const worker = createOutboxWorker({
    db: services.db,
    keyring: services.keyring,
    mailer,
    clock: services.clock,
    from: config.mailFrom,
    messageIdHost: hostOf(config.publicBaseUrl),
    log,
    // Mail waits (a second at most) while a burst of referrals is arriving.
    busy: () => services.referrals.busy(),
  });
  const scheduler = createAlertScheduler({
    db: services.db,
    keyring: services.keyring,
    publicBaseUrl: config.publicBaseUrl,
    clock: services.clock,
    signal: services.mail.signal,
    uncontactedReferrals,
    log,
    casework: (now) =>
      runCaseworkSweep(services.db, { keyring: services.keyring, publicBaseUrl: config.publicBaseUrl }, now),
  });
  const unsubscribe = services.mail.signal.subscribe(() => worker.notify());
  app.decorate('mailWorker', worker);
  app.decorate('alertScheduler', scheduler);

  app.addHook('onReady', async () => {
    if (options.startMailWorker ?? true) worker.start();
    if (options.startAlertScheduler ?? true) scheduler.start();
    log.info({ transport: mailer.description }, 'mail worker ready');
  });
  app.addHook('onClose', async () => {
    unsubscribe();
    scheduler.stop();
    await worker.stop();
  });
}

export const alertsPlugin = fp(alerts, { name: 'alerts' });
