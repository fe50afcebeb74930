import fp from 'fastify-plugin';
import helmet from 'helmet';
import rateLimit from '@fastify/rate-limit';
import type { AppConfig } from '../config.ts';
import { clientRateLimitKey } from '../http/client-key.ts';

/**
 * Security headers on every response: helmet writes them in onRequest, before any route runs. Its middleware is
 * built once here (the headers never change from one request to the next); @fastify/helmet built it again for every
 * request, a twentieth of a referral's time and of every crisis page's.
 * No inline script or style anywhere, so the CSP needs no nonces or hashes.
 */
export const securityPlugin = fp<{ config: AppConfig }>(
  async (app, { config }) => {
    const securityHeaders = helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'self'"],
          objectSrc: ["'none'"],
          ...(config.servedOverHttps ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      referrerPolicy: { policy: 'no-referrer' },
      strictTransportSecurity: config.servedOverHttps ? { maxAge: 31_536_000, includeSubDomains: true } : false,
      crossOriginEmbedderPolicy: false,
      xFrameOptions: { action: 'deny' },
    });
    app.addHook('onRequest', (request, reply, done) => {
      // Helmet 8 throws rather than passing an error on; it calls back only to go on.
      securityHeaders(request.raw, reply.raw, () => done());
    });
    // Routes opt in with `config: { rateLimit: {...} }`; the in-memory store suits one process.
    // An IPv6 client is limited by its /64 (see clientRateLimitKey).
    await app.register(rateLimit, { global: false, keyGenerator: (request) => clientRateLimitKey(request.ip) });
  },
  { name: 'security' },
);
