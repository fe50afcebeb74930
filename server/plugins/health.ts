import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';

/**
 * GET /healthz for load balancers, container health checks and monitoring. No personal data: counts and ages.
 *   200 {status: "ok"}        the database answers and mail is flowing
 *   200 {status: "degraded"}  the database answers but mail has failed or is stuck (alerts are not reaching staff)
 *   503 {status: "unavailable"} the database does not answer
 * Monitoring should alert on anything but "ok"; a container health check only needs the status code.
 */
export async function healthRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  app.get('/healthz', async (_request, reply) => {
    reply.header('Cache-Control', 'no-store');
    const report = opts.services.health.report();
    return reply.code(report.status === 'unavailable' ? 503 : 200).send(report);
  });
}
