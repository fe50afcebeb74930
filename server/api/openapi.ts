import { z } from 'zod';
import {
  FORM_TOKEN_FIELD,
  referralQuestions,
  referralSubmissionSchema,
  type Condition,
  type Question,
} from '../referrals/questions.ts';
import { REFERRAL_BODY_LIMIT, REFERRAL_RATE_LIMIT } from '../referrals/limits.ts';

type JsonObject = Record<string, unknown>;

function conditionText(condition: Condition): string {
  return 'answered' in condition
    ? `Required when ${condition.question} is given.`
    : `Required when ${condition.question} is ${condition.is.map((value) => `"${value}"`).join(' or ')}.`;
}

function describe(question: Question): string {
  const parts = [question.hint, question.why];
  if (question.requiredWhen) parts.push(conditionText(question.requiredWhen));
  if (question.kind === 'radios' || question.kind === 'checkboxes') {
    parts.push(`Answers: ${question.options.map((option) => `"${option.value}" (${option.label})`).join(', ')}.`);
  }
  if (question.kind === 'date') parts.push('A date written YYYY-MM-DD.');
  if (question.kind === 'confirm')
    parts.push(`Send "${question.value}": the version of the confidentiality statement he read and agreed to.`);
  return parts.filter(Boolean).join(' ');
}

const errorSchema = {
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: { type: 'string', description: 'A stable, machine-readable code.' },
    message: { type: 'string', description: 'A plain-English explanation for a person.' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: {
          path: { type: 'string', description: 'The question id (empty for the submission as a whole).' },
          message: { type: 'string' },
        },
      },
    },
  },
};

const helpSchema = {
  allOf: [
    { $ref: '#/components/schemas/Error' },
    {
      type: 'object',
      properties: {
        contactEmail: { type: 'string' },
        retryAfterSeconds: { type: 'integer' },
        crisisLines: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              name: { type: 'string' },
              action: { type: 'string', enum: ['call', 'text'] },
              number: { type: 'string' },
              hours: { type: 'string' },
            },
          },
        },
      },
    },
  ],
};

const jsonError = (description: string, schema = '#/components/schemas/Error') => ({
  description,
  content: { 'application/json': { schema: { $ref: schema } } },
});

/**
 * The OpenAPI 3 document for the referral API, generated from the same zod definitions that validate it
 * (`z.toJSONSchema`), with each question's label and hint as its title and description.
 */
export function buildOpenApiDocument(options: { publicBaseUrl: string; today: string }): JsonObject {
  const submission = z.toJSONSchema(referralSubmissionSchema({ today: options.today }), {
    io: 'input',
    target: 'openapi-3.0',
  }) as JsonObject & { properties: Record<string, JsonObject> };
  for (const question of referralQuestions) {
    const property = submission.properties[question.id];
    if (!property) continue;
    property.title = question.label;
    const description = describe(question);
    if (description) property.description = description;
  }

  return {
    openapi: '3.0.3',
    info: {
      title: 'Self-referral API',
      version: '1',
      description: [
        'The same referral the website form sends, as JSON. Both go through one validation and one service.',
        `First get a form token (GET /api/referrals/form-token) and send it back as ${FORM_TOKEN_FIELD}: it makes a repeated`,
        'submission safe (the same token never creates a second referral) and must be at least a few seconds old.',
        'Unknown fields are refused. Text is trimmed and stripped of control characters.',
        `Bodies over ${REFERRAL_BODY_LIMIT / 1024} KB get 413; other content types 415; malformed JSON 400;`,
        `more than ${REFERRAL_RATE_LIMIT.max} submissions an hour from one address 429; cross-site browser posts 403.`,
      ].join(' '),
    },
    servers: [{ url: options.publicBaseUrl }],
    paths: {
      '/api/referrals/form-token': {
        get: {
          operationId: 'getReferralFormToken',
          summary: 'Get a form token for one referral',
          responses: {
            '200': {
              description: 'A signed token. It holds nothing about the person.',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['formToken', 'minimumFillSeconds'],
                    properties: { formToken: { type: 'string' }, minimumFillSeconds: { type: 'integer' } },
                  },
                },
              },
            },
          },
        },
      },
      '/api/referrals': {
        post: {
          operationId: 'createReferral',
          summary: 'Send a self-referral',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/ReferralSubmission' } } },
          },
          responses: {
            '201': {
              description: 'Stored. The commit is durable before this answer is sent.',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/ReferralAccepted' } } },
            },
            '200': {
              description: 'This form token was already used: the same referral is returned and nothing new is stored.',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/ReferralAccepted' } } },
            },
            '400': jsonError(
              'Not stored. error is "invalid" (see errors), "under_18", "missing_form_token", "not_accepted" or "malformed_json".',
            ),
            '403': jsonError('error "cross_site": a browser post from another website.'),
            '413': jsonError('error "too_large".'),
            '415': jsonError('error "unsupported_media_type": send application/json.'),
            '429': jsonError('error "rate_limited". See the Retry-After header.', '#/components/schemas/ErrorWithHelp'),
            '503': jsonError(
              'error "unavailable": the database could not be written and nothing was stored.',
              '#/components/schemas/ErrorWithHelp',
            ),
          },
        },
      },
    },
    components: {
      schemas: {
        ReferralSubmission: submission,
        ReferralAccepted: {
          type: 'object',
          required: ['reference', 'contactBy'],
          properties: {
            reference: {
              type: 'string',
              pattern: '^SL-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$',
              example: 'SL-7KQ4-M9TX',
            },
            contactBy: { type: 'string', format: 'date-time', description: 'We will make first contact by this time.' },
          },
        },
        Error: errorSchema,
        ErrorWithHelp: helpSchema,
      },
    },
  };
}
