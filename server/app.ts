import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import formbody from '@fastify/formbody';
import type { DestinationStream } from 'pino';
import { randomUUID } from 'node:crypto';
import type { AppConfig } from './config.ts';
import { systemClock, type Clock } from './clock.ts';
import type { OpenedDatabase } from '../db/client.ts';
import { startCheckpointer } from '../db/checkpoints.ts';
import { createServices, type Services } from './services.ts';
import { loggerOptions } from './logging.ts';
import { securityPlugin } from './plugins/security.ts';
import { errorsPlugin } from './plugins/errors.ts';
import { compressionPlugin } from './plugins/compression.ts';
import { staticSitePlugin } from './plugins/static-site.ts';
import { healthRoutes } from './plugins/health.ts';
import { astroSsrRoutes, type AstroHandler } from './plugins/astro-ssr.ts';
import { backofficePrepare } from './backoffice/plugin.ts';
import { referralRoutes } from './referrals/routes.ts';
import { feedbackRoutes } from './feedback/routes.ts';
import { alertsPlugin, type AlertsPluginOptions } from './alerts/plugin.ts';
import { serverEntry } from './site-files.ts';
import { lifecyclePlugin, type LifecyclePluginOptions } from './retention/plugin.ts';
import { pathToFileURL } from 'node:url';

export interface AppDeps {
  database: OpenedDatabase;
  clock?: Clock;
  /** Astro's built middleware handler; loaded from dist/server/entry.mjs when not given. */
  astroHandler?: AstroHandler;
  logStream?: DestinationStream;
  /** Directory of the prerendered site (dist/client by default). */
  clientDir?: string;
  /** Mail transport and background-job switches for tests (server/alerts/plugin.ts). */
  alerts?: Pick<AlertsPluginOptions, 'mailer' | 'startMailWorker' | 'startAlertScheduler' | 'officesConfigPath'>;
  /** Whether the daily retention and backup jobs start (server/retention/plugin.ts). */
  lifecycle?: Pick<LifecyclePluginOptions, 'start'>;
  /**
   * Whether SQLite's checkpoints run on a worker thread (db/checkpoints.ts) instead of in whichever request commits;
   * on by default, off by default in tests (a thread per test app), like the daily jobs.
   */
  checkpointWorker?: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
    portalConfig: AppConfig;
  }
}

/**
 * How long a client may take: to send all its headers (slowloris), to send a whole request (a slow body), and to
 * keep an idle keep-alive connection. Short, because nothing here needs long: a referral body is at most 32 KB.
 */
export const SERVER_TIMEOUTS = { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000 } as const;

export async function loadAstroHandler(entry = serverEntry): Promise<AstroHandler> {
  const mod = (await import(pathToFileURL(entry).href)) as { handler: AstroHandler };
  return mod.handler;
}

/** Builds the whole portal as one Fastify instance. Tests call this directly and use `app.inject`. */
export async function buildApp(config: AppConfig, deps: AppDeps): Promise<FastifyInstance> {
  const options: FastifyServerOptions = {
    logger: loggerOptions(config, deps.logStream),
    // Fastify accepts a hop count at runtime; its types only list the other forms.
    trustProxy: config.trustProxy as FastifyServerOptions['trustProxy'],
    genReqId: () => randomUUID(),
    bodyLimit: 32 * 1024,
    forceCloseConnections: 'idle',
    // Slow or idle clients cannot hold connections for ever (see SERVER_TIMEOUTS).
    requestTimeout: SERVER_TIMEOUTS.requestMs,
    keepAliveTimeout: SERVER_TIMEOUTS.keepAliveMs,
    return503OnClosing: true,
  };
  const app = Fastify(options);
  app.server.headersTimeout = SERVER_TIMEOUTS.headersMs;

  const clock = deps.clock ?? systemClock;
  const services = createServices({ config, db: deps.database.db, clock });
  app.decorate('services', services);
  app.decorate('portalConfig', config);
  const checkpoints =
    (deps.checkpointWorker ?? config.nodeEnv !== 'test')
      ? startCheckpointer(deps.database.sqlite, {
          onError: (error) => app.log.error({ reason: error.message }, 'database checkpoint failed'),
        })
      : undefined;
  app.addHook('onClose', async () => {
    await checkpoints?.close();
    if (deps.database.sqlite.open) deps.database.sqlite.close();
  });

  await app.register(securityPlugin, { config });
  await app.register(errorsPlugin);
  // Before any route, so every reply Fastify sends (static pages, rendered pages, JSON) is compressed.
  await app.register(compressionPlugin);
  await app.register(formbody, { bodyLimit: 32 * 1024 });
  await app.register(healthRoutes, { services });
  // Seeds offices on first start; runs the outbox worker and the escalation/digest scheduler.
  await app.register(alertsPlugin, { config, services, ...deps.alerts });
  // Daily retention run and encrypted backup (server/retention, server/backup).
  await app.register(lifecyclePlugin, { config, services, ...(deps.lifecycle ?? {}) });

  const handler = deps.astroHandler ?? (await loadAstroHandler());
  await app.register(astroSsrRoutes, { handler, services, prepare: backofficePrepare({ config, services }) });
  await app.register(referralRoutes, { handler, services });
  await app.register(feedbackRoutes, { handler, services });
  await app.register(staticSitePlugin, {
    ...(deps.clientDir ? { root: deps.clientDir } : {}),
    publicBaseUrl: config.publicBaseUrl,
  });

  return app;
}
