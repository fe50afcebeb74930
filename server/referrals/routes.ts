import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import { organisation } from '../../site/facts/organisation.ts';
import { urgentCrisisLines } from '../../site/facts/crisis-lines.ts';
import type { AstroHandler } from '../plugins/astro-ssr.ts';
import type { Services } from '../services.ts';
import { londonDate } from '../scheduling/calendar.ts';
import { buildOpenApiDocument } from '../api/openapi.ts';
import { contactByText, contactPromiseText } from './contact-by-text.ts';
import { renderAstroPage, sendAstroPage, sendRenderedPage, type RenderedPage } from '../plugins/astro-page.ts';
import { isCrossSiteRequest, ownOriginsFor } from './http-guards.ts';
import { ensureDefaultOffices } from './offices.ts';
import { clientRateLimitKey } from '../http/client-key.ts';
import { FORM_TOKEN_RATE_LIMIT, REFERRAL_BODY_LIMIT, REFERRAL_RATE_LIMIT } from './limits.ts';
import type { ReferralFormNotice, ReferralPageState } from './page-state.ts';
import { FORM_TOKEN_FIELD, HONEYPOT_FIELD, readPostedForm, type FieldError, type FormValues } from './questions.ts';
import { MINIMUM_FILL_MS, ReferralStorageError, type ReferralReceipt, type SubmissionOutcome } from './service.ts';

export interface ReferralRoutesOptions {
  handler: AstroHandler;
  services: Services;
}

const FORM_PATHS = ['/refer', '/refer/'] as const;
/** Stands in for the form token in the cached empty form; never a real token (those are three parts joined by dots). */
const TOKEN_MARKER = 'form-token-goes-here';

/** What an API client gets when help is needed and we could not take the referral. */
const apiHelp = {
  contactEmail: organisation.contactEmail,
  crisisLines: urgentCrisisLines.map((line) => ({
    name: line.name,
    action: line.action,
    number: line.number,
    hours: line.hours,
  })),
};

// Built from the one crisis-line definition, so a changed number changes here too.
const HELP_SENTENCE = `If you need help now: ${urgentCrisisLines
  .map((line) => `${line.action} ${line.number} (${line.name})`)
  .join('; ')}.`;

/**
 * The self-referral form (GET and POST /refer), its JSON twin (POST /api/referrals), the form token for API
 * clients and the OpenAPI document. Both submit paths call the same service function. Each has its own
 * scope, so the form accepts only urlencoded bodies and the API only JSON (anything else: 415), and each has
 * its own error handler: a page a frightened person can act on, or JSON a program can act on.
 */
export async function referralRoutes(app: FastifyInstance, opts: ReferralRoutesOptions): Promise<void> {
  const { services, handler } = opts;
  ensureDefaultOffices(services.db, services.clock.now());
  // Follow-ups of referrals stored during a burst, and any a crash left due (server/referrals/follow-up.ts).
  app.addHook('onReady', async () => {
    services.referrals.followUps.start(app.log.child({ component: 'referral-follow-up' }));
  });
  app.addHook('onClose', async () => {
    await services.referrals.followUps.stop();
    await services.referrals.close();
  });

  // One limiter for both submit paths, checked after the body is parsed so the form can come back with his
  // answers in it. Every submission counts, whatever its outcome.
  const rateLimit = app.createRateLimit({
    max: REFERRAL_RATE_LIMIT.max,
    timeWindow: REFERRAL_RATE_LIMIT.timeWindowMs,
    keyGenerator: (request) => `referral:${clientRateLimitKey(request.ip)}`,
  });
  const formTokenRateLimit = app.createRateLimit({
    max: FORM_TOKEN_RATE_LIMIT.max,
    timeWindow: FORM_TOKEN_RATE_LIMIT.timeWindowMs,
    keyGenerator: (request) => `form-token:${clientRateLimitKey(request.ip)}`,
  });
  const limited =
    (limiter: typeof rateLimit) =>
    async (request: FastifyRequest): Promise<number | null> => {
      const result = await limiter(request);
      return !result.isAllowed && result.isExceeded ? result.ttlInSeconds : null;
    };
  const rateLimited = limited(rateLimit);
  const formTokenRateLimited = limited(formTokenRateLimit);
  const crossSite = (request: FastifyRequest) =>
    isCrossSiteRequest(request.headers, ownOriginsFor(services.publicBaseUrl, request.protocol, request.headers.host));

  // Every key App.Locals has, so pages that read others' locals see null rather than nothing.
  const localsFor = (request: FastifyRequest, state: ReferralPageState) => ({
    staff: null,
    services,
    request: { id: request.id, csrfToken: null },
    page: null,
    referral: state,
  });
  // The form carries a fresh token and his answers: never cache it, nor any page answering a post.
  const NO_STORE = { 'Cache-Control': 'no-store' };
  const render = async (request: FastifyRequest, reply: FastifyReply, state: ReferralPageState) =>
    sendAstroPage(handler, request, reply, localsFor(request, state), { url: '/refer', headers: NO_STORE });

  const formState = (
    formToken: string,
    values: FormValues,
    errors: FieldError[],
    notice: ReferralFormNotice | null,
    status: 200 | 422 | 429 | 503,
  ): ReferralPageState => {
    const kept: FormValues = { ...values };
    delete kept[HONEYPOT_FIELD];
    delete kept[FORM_TOKEN_FIELD];
    return { view: 'form', status, formToken, values: kept, errors, notice, today: londonDate(services.clock.now()) };
  };

  const confirmation = (receipt: ReferralReceipt): ReferralPageState => ({
    view: 'confirmation',
    status: 200,
    reference: receipt.reference,
    contactBy: receipt.contactBy.toISOString(),
    contactByText: contactByText(receipt.contactBy),
    safeTimesOutsideOfficeHours: receipt.safeTimesOutsideOfficeHours,
    contactPromise: contactPromiseText(receipt.contactBy, receipt.safeTimesOutsideOfficeHours, receipt.emailSafe),
    showsRisk: receipt.showsRisk,
    acknowledgementQueued: receipt.acknowledgementQueued,
  });

  // ----------------------------------------------------------------------------------------------------
  // The HTML form
  // ----------------------------------------------------------------------------------------------------
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    await scope.register(formbody, { bodyLimit: REFERRAL_BODY_LIMIT });

    scope.setErrorHandler(async (error: FastifyError, request, reply) => {
      const problem =
        error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? ({ status: 413, problem: 'too_large' } as const)
          : error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
            ? ({ status: 415, problem: 'wrong_type' } as const)
            : error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500
              ? ({ status: 400, problem: 'bad_request' } as const)
              : null;
      if (!problem) throw error; // a fault: the app's handler logs it and shows the 500 page
      request.log.info({ statusCode: problem.status, code: error.code }, 'referral form rejected');
      return render(request, reply, { view: 'problem', ...problem });
    });

    // The empty form is the same page all day but for its token: rendered once per London date with a marker
    // where the token goes, then sent with a fresh token put in. A flood of GET /refer/ costs no rendering.
    let emptyForm: { date: string; page: Pick<RenderedPage, 'status' | 'headers'>; parts: [Buffer, Buffer] } | null =
      null;
    const showForm = async (request: FastifyRequest, reply: FastifyReply) => {
      const now = services.clock.now();
      const token = services.referrals.issueFormToken(now);
      const date = londonDate(now);
      if (emptyForm?.date !== date) {
        const page = await renderAstroPage(
          handler,
          request,
          localsFor(request, formState(TOKEN_MARKER, {}, [], null, 200)),
          {
            url: '/refer',
          },
        );
        const marker = Buffer.from(TOKEN_MARKER);
        const at = page.body.indexOf(marker);
        // Exactly one marker, or no shortcut: render this one the usual way.
        if (page.status !== 200 || at === -1 || page.body.indexOf(marker, at + 1) !== -1) {
          return render(request, reply, formState(token, {}, [], null, 200));
        }
        emptyForm = {
          date,
          page: { status: page.status, headers: page.headers },
          parts: [page.body.subarray(0, at), page.body.subarray(at + marker.length)],
        };
      }
      const body = Buffer.concat([emptyForm.parts[0], Buffer.from(token), emptyForm.parts[1]]);
      return sendRenderedPage(reply, { ...emptyForm.page, body }, NO_STORE);
    };

    const submitForm = async (request: FastifyRequest, reply: FastifyReply) => {
      const now = services.clock.now();
      const values: FormValues = (request.body as FormValues | undefined) ?? {};
      const reading = readPostedForm(values);
      const formToken = services.referrals.formTokenFor(reading.formToken, now);

      const retryAfter = await rateLimited(request);
      if (retryAfter !== null) {
        request.log.info({ retryAfter }, 'referral rate limited');
        reply.header('Retry-After', String(retryAfter));
        return render(request, reply, formState(formToken, values, [], 'rate_limited', 429));
      }

      // Names the form does not have are passed on, so validation reports them like the API does.
      const answers: Record<string, unknown> = { ...reading.answers };
      for (const name of reading.unknownFields) answers[name] = values[name];

      let outcome: SubmissionOutcome;
      try {
        outcome = await services.referrals.submit(
          { answers, formToken: reading.formToken, honeypot: reading.honeypot },
          now,
        );
      } catch (error) {
        if (!(error instanceof ReferralStorageError)) throw error;
        logStorageFailure(request, error);
        return render(request, reply, formState(formToken, values, [], 'unavailable', 503));
      }
      logOutcome(request, outcome);
      switch (outcome.kind) {
        case 'created':
        case 'duplicate':
          return render(request, reply, confirmation(outcome.receipt));
        case 'under_18':
          return render(request, reply, { view: 'under_18', status: 200 });
        case 'invalid':
          return render(request, reply, formState(formToken, values, outcome.errors, null, 422));
        case 'not_accepted':
          // An old form comes back with his answers and a new token: never a dead end.
          return render(
            request,
            reply,
            formState(formToken, values, [], outcome.reason === 'expired_token' ? 'expired' : 'not_accepted', 422),
          );
      }
    };

    const refuseCrossSite = async (request: FastifyRequest, reply: FastifyReply) => {
      if (!crossSite(request)) return;
      request.log.info({ statusCode: 403 }, 'cross-site referral refused');
      return render(request, reply, { view: 'problem', status: 403, problem: 'cross_site' });
    };

    for (const path of FORM_PATHS) {
      scope.get(path, showForm);
      scope.post(path, { onRequest: refuseCrossSite }, submitForm);
    }
  });

  // ----------------------------------------------------------------------------------------------------
  // The JSON API
  // ----------------------------------------------------------------------------------------------------
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      'application/json',
      { parseAs: 'string', bodyLimit: REFERRAL_BODY_LIMIT },
      scope.getDefaultJsonParser('error', 'error'),
    );

    scope.setErrorHandler(async (error: FastifyError, request, reply) => {
      const mapped: Record<string, [number, string, string]> = {
        FST_ERR_CTP_BODY_TOO_LARGE: [
          413,
          'too_large',
          `The request body must be ${REFERRAL_BODY_LIMIT / 1024} KB or smaller.`,
        ],
        FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type', 'Send the referral as application/json.'],
        FST_ERR_CTP_INVALID_JSON_BODY: [400, 'malformed_json', 'The request body is not valid JSON.'],
        FST_ERR_CTP_EMPTY_JSON_BODY: [
          400,
          'malformed_json',
          'The request body is empty: send the referral as a JSON object.',
        ],
      };
      const known = error.code ? mapped[error.code] : undefined;
      const fallback: [number, string, string] | undefined =
        error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500
          ? [400, 'bad_request', 'The request could not be read.']
          : // Prototype-poisoning attempts are refused by the JSON parser with a SyntaxError.
            error instanceof SyntaxError
            ? [400, 'malformed_json', 'The request body is not valid JSON.']
            : undefined;
      const answer = known ?? fallback;
      if (!answer) throw error;
      request.log.info({ statusCode: answer[0], code: error.code }, 'referral API request rejected');
      return reply.code(answer[0]).header('Cache-Control', 'no-store').send({ error: answer[1], message: answer[2] });
    });

    scope.get('/api/referrals/form-token', async (request, reply) => {
      reply.header('Cache-Control', 'no-store');
      const retryAfter = await formTokenRateLimited(request);
      if (retryAfter !== null) {
        request.log.info({ retryAfter }, 'form token rate limited');
        return reply
          .code(429)
          .header('Retry-After', String(retryAfter))
          .send({
            error: 'rate_limited',
            message: `Too many form tokens have been asked for from this address. Try again in ${retryAfter} seconds, or email ${organisation.contactEmail}. ${HELP_SENTENCE}`,
            retryAfterSeconds: retryAfter,
            ...apiHelp,
          });
      }
      return {
        formToken: services.referrals.issueFormToken(services.clock.now()),
        minimumFillSeconds: MINIMUM_FILL_MS / 1000,
      };
    });

    scope.get('/api/openapi.json', async (_request, reply) => {
      reply.header('Cache-Control', 'no-cache');
      return buildOpenApiDocument({ publicBaseUrl: services.publicBaseUrl, today: londonDate(services.clock.now()) });
    });

    scope.post(
      '/api/referrals',
      {
        // Answers are a few hundred bytes of JSON: compressing them (or accepting compressed bodies) costs more
        // than it saves on the one path a flood hits hardest.
        compress: false,
        decompress: false,
        onRequest: async (request, reply) => {
          if (!crossSite(request)) return;
          request.log.info({ statusCode: 403 }, 'cross-site referral refused');
          return reply.code(403).header('Cache-Control', 'no-store').send({
            error: 'cross_site',
            message: 'Referrals can only be sent from this website or by a program, not from another website.',
          });
        },
      },
      async (request, reply) => {
        reply.header('Cache-Control', 'no-store');
        const retryAfter = await rateLimited(request);
        if (retryAfter !== null) {
          request.log.info({ retryAfter }, 'referral rate limited');
          return reply
            .code(429)
            .header('Retry-After', String(retryAfter))
            .send({
              error: 'rate_limited',
              message: `Too many referrals have been sent from this address. Try again in ${Math.ceil(retryAfter / 60)} minutes, or email ${organisation.contactEmail}. ${HELP_SENTENCE}`,
              retryAfterSeconds: retryAfter,
              ...apiHelp,
            });
        }

        const body = request.body;
        if (typeof body !== 'object' || body === null || Array.isArray(body)) {
          return reply.code(400).send({
            error: 'invalid',
            message: 'Send the referral as one JSON object.',
            errors: [{ path: '', message: 'Send the referral as one JSON object' }],
          });
        }
        const {
          [FORM_TOKEN_FIELD]: formToken,
          [HONEYPOT_FIELD]: honeypot,
          ...answers
        } = body as Record<string, unknown>;

        let outcome: SubmissionOutcome;
        try {
          outcome = await services.referrals.submit(
            {
              answers,
              formToken: typeof formToken === 'string' ? formToken : undefined,
              // Anything but an empty string in the honeypot counts as filled.
              honeypot: honeypot === undefined ? undefined : typeof honeypot === 'string' ? honeypot : 'filled',
            },
            services.clock.now(),
          );
        } catch (error) {
          if (!(error instanceof ReferralStorageError)) throw error;
          logStorageFailure(request, error);
          return reply
            .code(503)
            .header('Retry-After', '60')
            .send({
              error: 'unavailable',
              message: `We could not save the referral, so nothing was stored. Please try again in a few minutes, or email ${organisation.contactEmail}. ${HELP_SENTENCE}`,
              ...apiHelp,
            });
        }
        logOutcome(request, outcome);
        switch (outcome.kind) {
          case 'created':
          case 'duplicate':
            // A repeat of the same form token is answered like the first time, but nothing new was created.
            return reply
              .code(outcome.kind === 'created' ? 201 : 200)
              .send({ reference: outcome.receipt.reference, contactBy: outcome.receipt.contactBy.toISOString() });
          case 'under_18':
            return reply.code(400).send({
              error: 'under_18',
              message: 'This service is for adults. Nothing was stored.',
              errors: [
                {
                  path: 'over18',
                  message: 'We can only take referrals from people aged 18 or over. Nothing was stored',
                },
              ],
            });
          case 'invalid':
            return reply
              .code(400)
              .send({ error: 'invalid', message: 'Some answers need to be corrected.', errors: outcome.errors });
          case 'not_accepted':
            if (outcome.reason === 'expired_token') {
              return reply.code(400).send({
                error: 'form_token_expired',
                message:
                  'The form token is more than 24 hours old. Get a new one from GET /api/referrals/form-token and send the referral again with it.',
                errors: [{ path: FORM_TOKEN_FIELD, message: 'Get a new form token: this one is more than a day old' }],
              });
            }
            return outcome.reason === 'missing_token'
              ? reply.code(400).send({
                  error: 'missing_form_token',
                  message: 'Get a form token from GET /api/referrals/form-token and send it as formToken.',
                  errors: [
                    { path: FORM_TOKEN_FIELD, message: 'Send the form token from GET /api/referrals/form-token' },
                  ],
                })
              : reply.code(400).send({
                  error: 'not_accepted',
                  message: 'We could not accept this submission. Check it and send it again.',
                });
        }
      },
    );
  });
}

function logOutcome(request: FastifyRequest, outcome: SubmissionOutcome): void {
  if (outcome.kind === 'created' || outcome.kind === 'duplicate') {
    request.log.info(
      { outcome: outcome.kind, referralId: outcome.receipt.referralId, priority: outcome.receipt.priority },
      'referral received',
    );
  } else if (outcome.kind === 'invalid') {
    // Which questions, never what was typed.
    request.log.info(
      { outcome: outcome.kind, fields: outcome.errors.map((error) => error.path) },
      'referral needs corrections',
    );
  } else {
    request.log.info(
      { outcome: outcome.kind, reason: outcome.kind === 'not_accepted' ? outcome.reason : undefined },
      'referral not taken',
    );
  }
}

function logStorageFailure(request: FastifyRequest, error: ReferralStorageError): void {
  const cause = error.cause as { name?: string; code?: string } | undefined;
  // The cause's message can quote SQL but never values (drizzle binds parameters); log its type and code only.
  request.log.error(
    { err: { type: cause?.name, code: cause?.code }, reqId: request.id },
    'referral could not be saved',
  );
}
