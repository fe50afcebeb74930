import fp from 'fastify-plugin';
import type { FastifyError } from 'fastify';
import { builtPage } from '../site-files.ts';

function wantsJson(url: string, accept: string | undefined): boolean {
  return url.startsWith('/api/') || url.startsWith('/healthz') || (accept?.includes('application/json') ?? false);
}

/**
 * A fault never shows internals: 5xx answers carry only a request id, which staff can find in the log.
 * 4xx errors raised by Fastify itself (bad JSON, too large, wrong type) keep their plain message.
 */
export const errorsPlugin = fp(
  async (app) => {
    app.setErrorHandler(async (error: FastifyError, request, reply) => {
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
      if (status >= 500) {
        request.log.error(
          { err: { type: error.name, message: error.message, stack: error.stack }, reqId: request.id },
          'request failed',
        );
      } else {
        request.log.info({ statusCode: status, code: error.code }, 'request rejected');
      }
      reply.code(status).header('Cache-Control', 'no-store');
      if (wantsJson(request.url, request.headers.accept)) {
        if (status >= 500) {
          return reply.send({
            error: 'internal_error',
            message: 'Something went wrong on our side. Please try again.',
            requestId: request.id,
          });
        }
        return reply.send({ error: error.code ?? 'bad_request', message: error.message, requestId: request.id });
      }
      if (status >= 500) return reply.type('text/html; charset=utf-8').send(builtPage('500.html'));
      return reply.type('text/plain; charset=utf-8').send(error.message);
    });
  },
  { name: 'errors' },
);
