import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import type { AstroHandler } from '../plugins/astro-ssr.ts';
import type { Services } from '../services.ts';
import { sendAstroPage } from '../plugins/astro-page.ts';
import { isCrossSiteRequest, ownOriginsFor } from '../referrals/http-guards.ts';
import { readFeedbackForm, submitFeedback, normaliseFeedbackCode } from './feedback.ts';
import { FEEDBACK_COMMENT_FIELD, FEEDBACK_QUESTIONS } from './questions.ts';
import type { FeedbackPageState } from './page-state.ts';

export interface FeedbackRoutesOptions {
  handler: AstroHandler;
  services: Services;
}

const BODY_LIMIT = 16 * 1024;
const RATE_LIMIT = { max: 20, timeWindowMs: 10 * 60_000 };

/**
 * The public anonymous feedback form: GET and POST /feedback. No cookies, no sign-in, no third-party requests,
 * no JavaScript needed. The one-time code (from the link or typed from a card) is the only key; it is used up
 * when the answers are saved. Bad input comes back with everything he chose still chosen.
 */
export async function feedbackRoutes(app: FastifyInstance, opts: FeedbackRoutesOptions): Promise<void> {
  const { services, handler } = opts;
  const rateLimit = app.createRateLimit({
    max: RATE_LIMIT.max,
    timeWindow: RATE_LIMIT.timeWindowMs,
    keyGenerator: (request) => `feedback:${request.ip}`,
  });

  const render = (request: FastifyRequest, reply: FastifyReply, state: FeedbackPageState) => {
    // Every key App.Locals has, so pages that read others' locals see null rather than nothing.
    const locals = {
      staff: null,
      services,
      request: { id: request.id, csrfToken: null },
      page: null,
      feedback: state,
    };
    return sendAstroPage(handler, request, reply, locals, {
      url: '/feedback',
      headers: { 'Cache-Control': 'no-store' },
    });
  };

  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    await scope.register(formbody, { bodyLimit: BODY_LIMIT });
    scope.setErrorHandler(async (error: { code?: string; statusCode?: number }, request, reply) => {
      const status =
        error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? 413
          : error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
            ? 415
            : error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500
              ? 400
              : null;
      if (status === null) throw error;
      return render(request, reply, { view: 'problem', status });
    });

    const show = async (request: FastifyRequest, reply: FastifyReply) => {
      const query = request.query as Record<string, unknown>;
      const code = typeof query.code === 'string' ? (normaliseFeedbackCode(query.code) ?? '') : '';
      return render(request, reply, { view: 'form', status: 200, code, values: {}, errors: {}, notice: null });
    };

    const submit = async (request: FastifyRequest, reply: FastifyReply) => {
      if (
        isCrossSiteRequest(
          request.headers,
          ownOriginsFor(services.publicBaseUrl, request.protocol, request.headers.host),
        )
      )
        return render(request, reply, { view: 'problem', status: 403 });
      const body = (request.body ?? {}) as Record<string, unknown>;
      const values: Record<string, string> = {};
      for (const name of [...FEEDBACK_QUESTIONS.map((q) => q.id), FEEDBACK_COMMENT_FIELD, 'code'])
        if (typeof body[name] === 'string') values[name] = body[name];
      const limited = await rateLimit(request);
      if (!limited.isAllowed && limited.isExceeded) {
        reply.header('Retry-After', String(limited.ttlInSeconds));
        return render(request, reply, {
          view: 'form',
          status: 429,
          code: values.code ?? '',
          values,
          errors: {},
          notice: 'rate_limited',
        });
      }
      const reading = readFeedbackForm(body);
      if (Object.keys(reading.errors).length > 0)
        return render(request, reply, {
          view: 'form',
          status: 422,
          code: values.code ?? '',
          values,
          errors: reading.errors,
          notice: null,
        });
      const result = submitFeedback(services.db, services.keyring, reading.code, reading.answers, services.clock.now());
      if (result.kind === 'code_not_valid') {
        request.log.info('feedback code not valid');
        return render(request, reply, {
          view: 'form',
          status: 422,
          code: values.code ?? '',
          values,
          errors: { code: 'This code has been used already, has expired, or is not right. Check it and try again' },
          notice: 'code_not_valid',
        });
      }
      request.log.info('feedback saved');
      return render(request, reply, { view: 'thanks', status: 200 });
    };

    for (const path of ['/feedback', '/feedback/']) {
      scope.get(path, show);
      scope.post(path, submit);
    }
  });
}
