import type { FastifyServerOptions, FastifyRequest } from 'fastify';
import type { DestinationStream } from 'pino';
import type { AppConfig } from './config.ts';

/**
 * Request logs carry method, path (never the query string), status and timing only.
 * Bodies, query strings, cookies, authorization headers and client addresses are personal data here,
 * so the serializers never copy them, and redaction catches any that a handler logs by mistake.
 */
export const redactedPaths = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.body',
  'req.query',
  'body',
  'query',
  'headers.cookie',
  'headers.authorization',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.email',
  '*.phone',
  '*.name',
];

function pathOnly(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

export function loggerOptions(
  config: Pick<AppConfig, 'logLevel'>,
  stream?: DestinationStream,
): FastifyServerOptions['logger'] {
  return {
    level: config.logLevel,
    ...(stream ? { stream } : {}),
    redact: { paths: redactedPaths, censor: '[redacted]' },
    serializers: {
      req(request: FastifyRequest) {
        return { method: request.method, url: pathOnly(request.url), id: request.id };
      },
      res(reply: { statusCode: number }) {
        return { statusCode: reply.statusCode };
      },
    },
  };
}

export { pathOnly };
