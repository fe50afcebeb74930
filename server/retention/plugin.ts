import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { AppConfig } from '../config.ts';
import type { Services } from '../services.ts';
import { createLifecycleJobs, type LifecycleJobs } from './jobs.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Daily retention run and encrypted backup. Tests may call `lifecycleJobs.runDue(now)`. */
    lifecycleJobs: LifecycleJobs;
  }
}

export interface LifecyclePluginOptions {
  config: AppConfig;
  services: Services;
  /** Start the daily jobs when the app is ready (default: yes, except when NODE_ENV=test). */
  start?: boolean;
}

async function lifecycle(app: FastifyInstance, options: LifecyclePluginOptions): Promise<void> {
  const { config, services } = options;
  const jobs = createLifecycleJobs({
    db: services.db,
    keyring: services.keyring,
    clock: services.clock,
    config,
    log: app.log.child({ component: 'data-lifecycle' }),
  });
  app.decorate('lifecycleJobs', jobs);
  app.addHook('onReady', async () => {
    if (options.start ?? config.nodeEnv !== 'test') jobs.start();
  });
  app.addHook('onClose', async () => jobs.stop());
}

export const lifecyclePlugin = fp(lifecycle, { name: 'data-lifecycle' });
