import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';

export async function healthRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  app.get('/healthz', async (_request, reply) => {
    reply.header('Cache-Control', 'no-store');
    if (opts.services.health.databaseAnswers()) return { status: 'ok' };
    return reply.code(503).send({ status: 'unavailable' });
  });
}
