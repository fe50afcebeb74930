/**
 * THE definition of the self-referral questions: sections, labels, hints, options, which answers are
 * required, and how each is validated. Everything else is derived from it:
 * - the form's HTML (site/components/referral/*),
 * - the browser's checks before sending (server/referrals/form-check-data.ts turns each definition into
 *   plain data on the form, which site/scripts/referral-form.ts applies with ./form-checks.ts),
 * - the server's validation of the form and of the JSON API (server/referrals/service.ts),
 * - the OpenAPI document (server/api/openapi.ts),
 * - the staff view and the CSV export (server/referrals/display.ts).
 * Adding a question means adding it here, in the section it belongs to, and nowhere else.
 *
 * Server-side only (zod and libphonenumber-js): the browser gets plain data derived from it, never this file.
 */
import { z } from 'zod';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { confidentialityStatement } from '../../site/facts/confidentiality.ts';
import { cleanMultiLine, cleanSingleLine, normaliseDateInput } from './text.ts';
import {
  conditionHolds,
  dateProblem,
  type Condition,
  type DateRule,
  type FieldError,
  type FormValues,
} from './form-checks.ts';

export { conditionHolds, type Condition, type FieldError, type FormValues };

/** What validation needs to know about "now". `today` is the London date, YYYY-MM-DD. */
export interface ValidationContext {
  today: string;
}

export interface ChoiceOption<V extends string = string> {
  value: V;
  label: string;
  hint?: string;
  /**
   * Choosing this answer means he may be at risk right now: crisis help is shown first, on the form (with
   * JavaScript) and on the confirmation page. It never blocks or changes whether the referral is accepted.
   */
  crisis?: boolean;
}

interface QuestionBase<Id extends string, Out> {
  id: Id;
  label: string;
  hint?: string;
  /** Why we ask, in plain words, shown with the question. */
  why?: string;
  /** Always required. */
  required: boolean;
  /** Required only when the condition holds (and otherwise optional). */
  requiredWhen?: Condition;
  /** Message when a required answer is missing. */
  requiredMessage?: string;
  /** Validation of this one answer; `Out` is what is stored. */
  schema(ctx: ValidationContext): z.ZodType<Out>;
}

export interface TextQuestion<Id extends string = string, Out = string | undefined> extends QuestionBase<Id, Out> {
  kind: 'text';
  inputType: 'text' | 'tel' | 'email';
  maxLength: number;
  /** An HTML autocomplete token (WCAG 1.3.5) or 'off' for things a shared device should not remember. */
  autocomplete: string;
  width: 'short' | 'medium' | 'full';
  spellcheck: boolean;
  tooLongMessage: string;
  /** A shape the answer must have, checked after cleaning (see `textFormats`). */
  format?: TextFormat;
}

export interface TextareaQuestion<Id extends string = string, Out = string | undefined> extends QuestionBase<Id, Out> {
  kind: 'textarea';
  maxLength: number;
  rows: number;
  tooLongMessage: string;
}

export interface RadiosQuestion<Id extends string = string, Out = string | undefined> extends QuestionBase<Id, Out> {
  kind: 'radios';
  options: readonly ChoiceOption[];
  /** Short yes/no style answers sit side by side. */
  inline: boolean;
}

export interface CheckboxesQuestion<Id extends string = string, Out = string[]> extends QuestionBase<Id, Out> {
  kind: 'checkboxes';
  options: readonly ChoiceOption[];
}

export interface ConfirmQuestion<Id extends string = string, Out = string> extends QuestionBase<Id, Out> {
  kind: 'confirm';
  /** The text beside the tick box. */
  checkboxLabel: string;
  /** The value the tick box sends (here: the version of the statement he read). */
  value: string;
}

export interface DateQuestion<Id extends string = string, Out = string | undefined> extends QuestionBase<Id, Out> {
  kind: 'date';
  /** 'past': on or before today; 'future': on or after today. */
  direction: 'past' | 'future';
  /** How far from today an answer may be, in years. */
  rangeYears: number;
  invalidMessage: string;
  outOfRangeMessage: string;
}

export type Question =
  | TextQuestion<string, unknown>
  | TextareaQuestion<string, unknown>
  | RadiosQuestion<string, unknown>
  | CheckboxesQuestion<string, unknown>
  | ConfirmQuestion<string, unknown>
  | DateQuestion<string, unknown>;

export interface Section<Q extends readonly Question[] = readonly Question[]> {
  id: string;
  title: string;
  /** A sentence or two shown under the section heading. */
  intro?: string;
  questions: Q;
}

// ---------------------------------------------------------------------------------------------------------
// Question builders: each returns the definition plus its zod schema, typed so the stored answers' type can
// be read off the sections below.
// ---------------------------------------------------------------------------------------------------------

type Req<R extends boolean, T> = R extends true ? T : T | undefined;

/** When a required typed answer is missing and the question has no message of its own. */
export const DEFAULT_TEXT_REQUIRED_MESSAGE = 'Enter an answer';
/** When an answer required by an earlier one is missing and the question has no message of its own. */
export const DEFAULT_REQUIRED_WHEN_MESSAGE = 'Answer this question';

const textMessage = (required: string | undefined) => (issue: { input?: unknown }) =>
  issue.input === undefined ? (required ?? DEFAULT_TEXT_REQUIRED_MESSAGE) : 'Enter text';

function emptyToUndefined<T>(value: T | ''): T | undefined {
  return value === '' ? undefined : value;
}

type TextDef<Id extends string, R extends boolean> = Omit<
  TextQuestion<Id>,
  'kind' | 'schema' | 'required' | 'inputType' | 'width' | 'spellcheck' | 'autocomplete'
> & {
  required: R;
  inputType?: TextQuestion['inputType'];
  width?: TextQuestion['width'];
  spellcheck?: boolean;
  autocomplete?: string;
};

function text<const Id extends string, const R extends boolean>(def: TextDef<Id, R>): TextQuestion<Id, Req<R, string>> {
  const { tooLongMessage } = def;
  const format = def.format ? textFormats[def.format] : undefined;
  const check = format?.problem;
  const canonical = format?.canonical;
  return {
    kind: 'text',
    inputType: 'text',
    width: 'full',
    spellcheck: false,
    autocomplete: 'off',
    ...def,
    schema: () => {
      let field = z
        .string({ error: textMessage(def.requiredMessage) })
        .overwrite(cleanSingleLine)
        .max(def.maxLength, tooLongMessage);
      if (def.required) field = field.min(1, def.requiredMessage ?? DEFAULT_TEXT_REQUIRED_MESSAGE);
      if (check) {
        field = field.check(
          z.superRefine((value: string, ctx) => {
            const problem = value === '' ? null : check(value);
            if (problem) ctx.addIssue({ code: 'custom', message: problem, input: value });
          }),
        );
      }
      if (canonical)
        field = field.overwrite((value) => (value === '' || (check && check(value)) ? value : canonical(value)));
      return (def.required ? field : field.optional().transform(emptyToUndefined)) as unknown as z.ZodType<
        Req<R, string>
      >;
    },
  };
}

type TextareaDef<Id extends string> = Omit<TextareaQuestion<Id>, 'kind' | 'schema' | 'required'>;

function textarea<const Id extends string>(def: TextareaDef<Id>): TextareaQuestion<Id, string | undefined> {
  const { tooLongMessage } = def;
  return {
    kind: 'textarea',
    required: false,
    ...def,
    schema: () =>
      z
        .string({ error: textMessage(undefined) })
        .overwrite(cleanMultiLine)
        .max(def.maxLength, tooLongMessage)
        .optional()
        .transform(emptyToUndefined),
  };
}

type RadiosDef<Id extends string, V extends string, R extends boolean> = Omit<
  RadiosQuestion<Id>,
  'kind' | 'schema' | 'options' | 'required' | 'inline' | 'requiredMessage'
> & {
  required: R;
  options: readonly ChoiceOption<V>[];
  inline?: boolean;
  requiredMessage: string;
};

function radios<const Id extends string, const V extends string, const R extends boolean>(
  def: RadiosDef<Id, V, R>,
): RadiosQuestion<Id, Req<R, V>> {
  return {
    kind: 'radios',
    inline: false,
    ...def,
    schema: () => {
      const values = def.options.map((option) => option.value) as [V, ...V[]];
      const field = z.enum(values, { error: def.requiredMessage });
      return (def.required ? field : field.optional()) as unknown as z.ZodType<Req<R, V>>;
    },
  };
}

type CheckboxesDef<Id extends string, V extends string> = Omit<
  CheckboxesQuestion<Id>,
  'kind' | 'schema' | 'options' | 'required'
> & { options: readonly ChoiceOption<V>[]; invalidMessage: string };

function checkboxes<const Id extends string, const V extends string>(
  def: CheckboxesDef<Id, V>,
): CheckboxesQuestion<Id, V[]> {
  const { invalidMessage, ...rest } = def;
  return {
    kind: 'checkboxes',
    required: false,
    ...rest,
    schema: () => {
      const values = def.options.map((option) => option.value) as [V, ...V[]];
      return z
        .array(z.enum(values, { error: invalidMessage }), { error: invalidMessage })
        .max(values.length, invalidMessage)
        .optional()
        .transform((chosen) => values.filter((value) => chosen?.includes(value)));
    },
  };
}

type ConfirmDef<Id extends string, V extends string> = Omit<
  ConfirmQuestion<Id>,
  'kind' | 'schema' | 'required' | 'value' | 'requiredMessage'
> & {
  value: V;
  requiredMessage: string;
  /** When a different value arrives: he read an older version of what he is confirming. */
  changedMessage: string;
};

function confirm<const Id extends string, const V extends string>(def: ConfirmDef<Id, V>): ConfirmQuestion<Id, V> {
  const { changedMessage, ...rest } = def;
  return {
    kind: 'confirm',
    required: true,
    ...rest,
    schema: () =>
      z.literal(def.value, {
        error: (issue) =>
          typeof issue.input === 'string' && issue.input !== '' ? changedMessage : def.requiredMessage,
      }),
  };
}

type DateDef<Id extends string> = Omit<DateQuestion<Id>, 'kind' | 'schema' | 'required'>;

/** A date question's limits as the browser and the server both apply them. */
export function dateRuleFor(
  question: Pick<DateQuestion, 'direction' | 'rangeYears' | 'invalidMessage' | 'outOfRangeMessage'>,
): DateRule {
  return {
    direction: question.direction,
    rangeDays: Math.ceil(question.rangeYears * 366),
    invalid: question.invalidMessage,
    outOfRange: question.outOfRangeMessage,
  };
}

function date<const Id extends string>(def: DateDef<Id>): DateQuestion<Id, string | undefined> {
  const rule = dateRuleFor(def);
  return {
    kind: 'date',
    required: false,
    ...def,
    schema: (ctx) =>
      z
        .string({ error: textMessage(undefined) })
        .overwrite((value) => normaliseDateInput(cleanSingleLine(value)))
        .check(
          z.superRefine((value: string, refinement) => {
            const problem = dateProblem(value, rule, ctx.today);
            if (problem) refinement.addIssue({ code: 'custom', message: problem, input: value });
          }),
        )
        .optional()
        .transform(emptyToUndefined),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Shared option lists and checks
// ---------------------------------------------------------------------------------------------------------

const YES_NO = [
  { value: 'yes', label: 'Yes' },
  { value: 'no', label: 'No' },
] as const satisfies readonly ChoiceOption[];

export const UK_PHONE_INVALID_MESSAGE =
  'Enter a UK phone number: a mobile starting 07, or a landline with its area code, like 0113 496 0000';

/** Any number the UK numbering plan (+44, which includes the Channel Islands and the Isle of Man) allows. */
// Validation checks a number and then stores it in +44 form: the second look reuses the first parse.
let lastPhone: { value: string; parsed: ReturnType<typeof parsePhoneNumberFromString> } | null = null;
function parseUkPhone(value: string) {
  if (lastPhone?.value !== value) lastPhone = { value, parsed: parsePhoneNumberFromString(value, 'GB') };
  return lastPhone.parsed;
}

export function ukPhoneProblem(value: string): string | null {
  const parsed = parseUkPhone(value);
  if (!parsed || !parsed.isValid()) return UK_PHONE_INVALID_MESSAGE;
  if (parsed.countryCallingCode !== '44') return 'Enter a UK phone number. We cannot call numbers outside the UK';
  return null;
}

/** A UK phone number in +44 form, so the same number typed two ways is stored one way. */
export function canonicalUkPhone(value: string): string {
  return parseUkPhone(value)?.number ?? value;
}

// A deliberately plain check: the address is only used if he says email is safe, and a mistyped one is
// caught by the acknowledgement bouncing, not by a stricter pattern here.
export const EMAIL_PATTERN = /^[^\s@<>(),;:"[\]\\]+@[^\s@<>(),;:"[\]\\]+\.[^\s@<>(),;:"[\]\\.]{2,}$/;
export const EMAIL_INVALID_MESSAGE = 'Enter an email address in the correct format, like name@example.com';

function emailProblem(value: string): string | null {
  return EMAIL_PATTERN.test(value) ? null : EMAIL_INVALID_MESSAGE;
}

export type TextFormat = 'uk-phone' | 'email';

/**
 * The shapes a typed answer may be required to have: the server's check (and the stored form). The browser
 * gets a description of each instead (server/referrals/form-check-data.ts).
 */
const textFormats: Record<
  TextFormat,
  {
    /** After cleaning; returns a message when the answer is not acceptable. */
    problem: (value: string) => string | null;
    /** Turns an acceptable answer into the form it is stored in (a phone number in +44 form). */
    canonical?: (value: string) => string;
  }
> = {
  'uk-phone': { problem: ukPhoneProblem, canonical: canonicalUkPhone },
  email: { problem: emailProblem },
};

// ---------------------------------------------------------------------------------------------------------
// The questions
// ---------------------------------------------------------------------------------------------------------

export const FREE_TEXT_LIMIT = 2000;

const beforeYouStart = {
  id: 'before-you-start',
  title: 'Before you start',
  questions: [
    confirm({
      id: 'confidentialityAgreedVersion',
      label: 'What we keep private',
      checkboxLabel: 'I have read what we keep private, and when we cannot',
      value: confidentialityStatement.version,
      requiredMessage: 'Tick the box to say you have read what we keep private, and when we cannot',
      changedMessage:
        'What we keep private has changed since you opened this form. Please read it again and tick the box',
    }),
  ],
} as const satisfies Section;

const aboutYou = {
  id: 'about-you',
  title: 'About you',
  questions: [
    radios({
      id: 'over18',
      label: 'Are you 18 or over?',
      hint: 'This service is for adults. If you are under 18, we will show you who can help.',
      required: true,
      inline: true,
      options: YES_NO,
      requiredMessage: 'Select yes if you are 18 or over',
    }),
    text({
      id: 'name',
      label: 'What name would you like us to use?',
      hint: 'This can be your first name, or any name you choose. We will use it when we talk to you.',
      required: true,
      maxLength: 100,
      width: 'medium',
      autocomplete: 'nickname',
      requiredMessage: 'Enter the name you would like us to use',
      tooLongMessage: 'The name must be 100 characters or fewer',
    }),
    radios({
      id: 'nation',
      label: 'Which part of the UK do you live in?',
      required: true,
      options: [
        { value: 'england', label: 'England' },
        { value: 'wales', label: 'Wales' },
        { value: 'scotland', label: 'Scotland' },
        { value: 'northern_ireland', label: 'Northern Ireland' },
      ],
      requiredMessage: 'Select which part of the UK you live in',
    }),
    text({
      id: 'area',
      label: 'Your town, or the first part of your postcode',
      hint: 'For example, Leeds or LS6. You do not need to give your address.',
      required: false,
      maxLength: 60,
      width: 'medium',
      tooLongMessage: 'Your town or postcode must be 60 characters or fewer',
    }),
    radios({
      id: 'office',
      label: 'Where would you like to meet us?',
      required: true,
      options: [
        { value: 'leeds', label: 'At our Leeds office' },
        { value: 'manchester', label: 'At our Manchester office' },
        { value: 'remote', label: 'By phone or video call', hint: 'You can live anywhere in the UK.' },
      ],
      requiredMessage: 'Select where you would like to meet us',
    }),
  ],
} as const satisfies Section;

const phoneIsSafe = { question: 'phoneSafe', is: ['yes'] } as const;

const contactingYou = {
  id: 'contact',
  title: 'Contacting you safely',
  intro:
    'Tell us how we can reach you without putting you at risk. We will only contact you in the ways you say are safe.',
  questions: [
    text({
      id: 'phone',
      label: 'Phone number',
      hint: 'A UK mobile starting 07, or a landline with its area code, like 0113 496 0000.',
      required: true,
      inputType: 'tel',
      maxLength: 30,
      width: 'medium',
      autocomplete: 'tel',
      requiredMessage:
        'Enter a phone number: a mobile starting 07, or a landline with its area code, like 0113 496 0000',
      tooLongMessage: 'The phone number must be 30 characters or fewer',
      format: 'uk-phone',
    }),
    radios({
      id: 'phoneSafe',
      label: 'Is it safe for us to call or text this number?',
      hint: 'For example, say no if someone else might answer it or look at the phone.',
      required: true,
      inline: true,
      options: YES_NO,
      requiredMessage: 'Select yes if it is safe for us to use this number',
    }),
    radios({
      id: 'voicemail',
      label: 'Can we leave a voicemail if you do not answer?',
      hint: 'Answer this if it is safe to call you.',
      required: false,
      requiredWhen: phoneIsSafe,
      inline: true,
      options: YES_NO,
      requiredMessage: 'Select yes if we can leave a voicemail',
    }),
    radios({
      id: 'textMessages',
      label: 'Can we send you text messages?',
      hint: 'Answer this if it is safe to call you.',
      required: false,
      requiredWhen: phoneIsSafe,
      inline: true,
      options: YES_NO,
      requiredMessage: 'Select yes if we can send you text messages',
    }),
    radios({
      id: 'withheldNumber',
      label: 'Is it OK if we call from a withheld number?',
      hint: 'Answer this if it is safe to call you. Some phones block calls from withheld numbers.',
      required: false,
      requiredWhen: phoneIsSafe,
      inline: true,
      options: YES_NO,
      requiredMessage: 'Select yes if we can call you from a withheld number',
    }),
    radios({
      id: 'sayWhoWeAre',
      label: 'If someone else answers, can we say who we are?',
      hint: 'Answer this if it is safe to call you. If you say no, we will only ask to speak to you.',
      required: false,
      requiredWhen: phoneIsSafe,
      inline: true,
      options: YES_NO,
      requiredMessage: 'Select yes if we can say who we are when someone else answers',
    }),
    checkboxes({
      id: 'safeTimes',
      label: 'When is it safe to call you?',
      hint: 'Select all that apply. If you do not select any, we will call during office hours.',
      options: [
        { value: 'morning', label: 'Morning (9am to 12 noon)' },
        { value: 'afternoon', label: 'Afternoon (12 noon to 5pm)' },
        { value: 'evening', label: 'Evening (5pm to 8pm)' },
      ],
      invalidMessage: 'Select the times that are safe to call you',
    }),
    text({
      id: 'email',
      label: 'Email address',
      hint: 'We will only email you if you tell us it is safe.',
      required: false,
      inputType: 'email',
      maxLength: 254,
      autocomplete: 'email',
      tooLongMessage: 'The email address must be 254 characters or fewer',
      format: 'email',
    }),
    radios({
      id: 'emailSafe',
      label: 'Is it safe for us to email you at this address?',
      hint: 'Answer this if you gave an email address. Say no if someone else can read your email.',
      required: false,
      requiredWhen: { question: 'email', answered: true },
      inline: true,
      options: YES_NO,
      requiredMessage: 'Select yes if it is safe for us to email you',
    }),
    textarea({
      id: 'postalAddress',
      label: 'Postal address (optional)',
      hint: 'Only if you would like us to be able to write to you. Include the postcode.',
      maxLength: 300,
      rows: 3,
      tooLongMessage: 'The address must be 300 characters or fewer',
    }),
    radios({
      id: 'letterSafe',
      label: 'Is it safe to write to you at this address?',
      hint: 'Answer this if you gave an address. Say no if someone else might open your post.',
      required: false,
      requiredWhen: { question: 'postalAddress', answered: true },
      inline: true,
      options: YES_NO,
      requiredMessage: 'Select yes if it is safe for us to write to you',
    }),
    radios({
      id: 'gpWelfareCheck',
      label: 'If we are very worried about you and cannot reach you, can we ask your GP to check on you?',
      hint: 'We would only tell your GP that we are worried about your safety.',
      required: true,
      inline: true,
      options: YES_NO,
      requiredMessage: 'Select yes if we can ask your GP to check on you',
    }),
  ],
} as const satisfies Section;

const whereYouAre = {
  id: 'process',
  title: 'Where you are in the process',
  questions: [
    radios({
      id: 'stage',
      label: 'What has happened with the police so far?',
      hint: 'Choose the one that fits best now.',
      required: true,
      options: [
        { value: 'arrested', label: 'I have been arrested' },
        { value: 'voluntary_interview', label: 'I have had a voluntary interview' },
        { value: 'police_will_contact', label: 'The police have told me they will be in touch' },
        { value: 'released_under_investigation', label: 'I have been released under investigation' },
        { value: 'on_bail', label: 'I am on bail' },
        { value: 'charged', label: 'I have been charged' },
        { value: 'awaiting_court', label: 'I am waiting to go to court' },
        { value: 'sentenced', label: 'I have been sentenced' },
        { value: 'no_police_contact', label: 'I have not had contact with the police yet' },
      ],
      requiredMessage: 'Select what has happened with the police so far',
    }),
    date({
      id: 'policeContactDate',
      label: 'When were you arrested or interviewed?',
      hint: 'If you are not sure of the exact day, give your best guess. Leave it empty if this has not happened.',
      direction: 'past',
      rangeYears: 10,
      invalidMessage: 'Enter a real date for your arrest or interview, like 27/03/2026',
      outOfRangeMessage: 'The date of your arrest or interview must be today or in the past (within 10 years)',
    }),
    date({
      id: 'bailReturnDate',
      label: 'When do you next have to go back to the police station (bail return date)?',
      hint: 'Leave it empty if you do not have one or do not know.',
      direction: 'future',
      rangeYears: 3,
      invalidMessage: 'Enter a real date for your bail return, like 27/03/2027',
      outOfRangeMessage: 'The bail return date must be today or in the future. Leave it empty if it has passed',
    }),
    date({
      id: 'courtDate',
      label: 'When is your next court date?',
      hint: 'Leave it empty if you do not have one or do not know.',
      direction: 'future',
      rangeYears: 3,
      invalidMessage: 'Enter a real date for your court date, like 27/03/2027',
      outOfRangeMessage: 'The court date must be today or in the future. Leave it empty if it has passed',
    }),
    radios({
      id: 'solicitor',
      label: 'Do you have a solicitor?',
      required: true,
      inline: true,
      options: YES_NO,
      requiredMessage: 'Select yes if you have a solicitor',
    }),
  ],
} as const satisfies Section;

const childrenAndFamily = {
  id: 'family',
  title: 'Children and family',
  intro: 'We ask everyone these questions. They help us understand what support you and your family may need.',
  questions: [
    radios({
      id: 'childrenInHousehold',
      label: 'Do any children under 18 live with you?',
      required: true,
      inline: true,
      options: YES_NO,
      requiredMessage: 'Select yes if any children under 18 live with you',
    }),
    radios({
      id: 'childrenInRegularContact',
      label: 'Are you in regular contact with any other children under 18?',
      hint: 'For example, your own children who live somewhere else, grandchildren, or children in your family or among your friends.',
      required: true,
      inline: true,
      options: YES_NO,
      requiredMessage: 'Select yes if you are in regular contact with any other children under 18',
    }),
    radios({
      id: 'socialCareInvolved',
      label: "Are children's social care (children's services) involved with your family?",
      required: true,
      options: [
        { value: 'yes', label: 'Yes' },
        { value: 'no', label: 'No' },
        { value: 'not_sure', label: 'I am not sure' },
      ],
      requiredMessage: "Select yes if children's social care are involved with your family",
    }),
    text({
      id: 'localAuthority',
      label: 'Which council are they from?',
      hint: 'For example, Leeds City Council. Leave it empty if you do not know.',
      required: false,
      maxLength: 100,
      width: 'medium',
      tooLongMessage: 'The council name must be 100 characters or fewer',
    }),
    radios({
      id: 'bailAffectsChildren',
      label: 'Do your bail conditions stop or limit your contact with children?',
      required: true,
      options: [
        { value: 'yes', label: 'Yes' },
        { value: 'no', label: 'No' },
        { value: 'not_sure', label: 'I am not sure' },
        { value: 'not_on_bail', label: 'I am not on bail' },
      ],
      requiredMessage: 'Select yes if your bail conditions stop or limit your contact with children',
    }),
  ],
} as const satisfies Section;

const hadThoughts = { question: 'thoughtsOfEndingLife', is: ['sometimes', 'often'] } as const;

const howYouFeel = {
  id: 'feeling',
  title: 'How you are feeling',
  intro:
    'We ask everyone these questions. Many men have thoughts like these after police contact. Your answers help us decide how soon to contact you. They will never stop us from helping you.',
  questions: [
    radios({
      id: 'thoughtsOfEndingLife',
      label: 'Since your contact with the police, have you had thoughts of ending your life?',
      hint: 'If you have not had contact with the police yet, think about the last few weeks.',
      required: true,
      options: [
        { value: 'no', label: 'No' },
        { value: 'sometimes', label: 'Sometimes' },
        { value: 'often', label: 'Often', crisis: true },
      ],
      requiredMessage: 'Select whether you have had thoughts of ending your life',
    }),
    radios({
      id: 'madePlanOrTakenSteps',
      label: 'Have you made a plan to end your life, or done anything to prepare?',
      hint: 'Answer this if you have had thoughts of ending your life.',
      required: false,
      requiredWhen: hadThoughts,
      options: [
        { value: 'yes', label: 'Yes', crisis: true },
        { value: 'no', label: 'No' },
        { value: 'prefer_not_to_say', label: 'I would rather not say' },
      ],
      requiredMessage: 'Select whether you have made a plan or done anything to prepare',
    }),
    radios({
      id: 'ableToKeepSafe',
      label: 'Do you feel able to keep yourself safe until we speak to you?',
      hint: 'Answer this if you have had thoughts of ending your life.',
      required: false,
      requiredWhen: hadThoughts,
      options: [
        { value: 'yes', label: 'Yes' },
        { value: 'no', label: 'No', crisis: true },
        { value: 'not_sure', label: 'I am not sure', crisis: true },
      ],
      requiredMessage: 'Select whether you feel able to keep yourself safe until we speak to you',
    }),
    text({
      id: 'gpPractice',
      label: 'Your GP practice',
      hint: 'The name of the surgery and the town, for example Park Road Surgery, Leeds.',
      why: 'We ask so that we can contact your GP if you said we may, and only in the way you agreed.',
      required: false,
      maxLength: 200,
      tooLongMessage: 'The GP practice must be 200 characters or fewer',
    }),
  ],
} as const satisfies Section;

const anythingElse = {
  id: 'anything-else',
  title: 'Anything else',
  questions: [
    textarea({
      id: 'anythingElse',
      label: 'Is there anything else you would like to tell us?',
      hint: 'For example, anything that would make it easier for you to talk to us. You do not need to tell us about what the police are investigating.',
      maxLength: FREE_TEXT_LIMIT,
      rows: 6,
      tooLongMessage: `Your message must be ${FREE_TEXT_LIMIT.toLocaleString('en-GB')} characters or fewer`,
    }),
    radios({
      id: 'heardFrom',
      label: 'How did you hear about us?',
      required: false,
      options: [
        { value: 'police', label: 'The police' },
        { value: 'social_care', label: "Children's social care" },
        { value: 'solicitor', label: 'A solicitor' },
        { value: 'gp', label: 'A GP or health worker' },
        { value: 'search_engine', label: 'Searching online' },
        { value: 'friend_or_family', label: 'A friend or family member' },
        { value: 'other', label: 'Somewhere else' },
      ],
      requiredMessage: 'Select how you heard about us',
    }),
    radios({
      id: 'meetPreference',
      label: 'When would you like to start?',
      required: true,
      options: [
        { value: 'asap', label: 'As soon as possible' },
        { value: 'later', label: 'Later. I would like to make contact for now' },
      ],
      requiredMessage: 'Select when you would like to start',
    }),
  ],
} as const satisfies Section;

/** Every section, in the order the form shows them. */
export const referralSections = [
  beforeYouStart,
  aboutYou,
  contactingYou,
  whereYouAre,
  childrenAndFamily,
  howYouFeel,
  anythingElse,
] as const;

type AnyQuestionIn<S extends readonly Section[]> = S[number]['questions'][number];
type OutOf<Q> = Q extends { schema(ctx: ValidationContext): z.ZodType<infer O> } ? O : never;

/** A referral's answers, exactly as validated and stored. Optional answers that were not given are absent. */
export type ReferralAnswers = {
  [Q in AnyQuestionIn<typeof referralSections> as Q['id']]: OutOf<Q>;
};

export type QuestionId = keyof ReferralAnswers & string;

/** Every question in form order. */
export const referralQuestions: readonly Question[] = referralSections.flatMap(
  (section) => [...section.questions] as Question[],
);

const questionsById = new Map<string, Question>(referralQuestions.map((question) => [question.id, question]));

export function questionById(id: string): Question | undefined {
  return questionsById.get(id);
}

// ---------------------------------------------------------------------------------------------------------
// Fields that travel with the answers but are not answers
// ---------------------------------------------------------------------------------------------------------

/** Signed when the form is shown: an idempotency key (a second send creates nothing) and the start time. */
export const FORM_TOKEN_FIELD = 'formToken';
/** Hidden from people (CSS), tempting to bots: anything in it turns the submission away. */
export const HONEYPOT_FIELD = 'website';
export const META_FIELDS = [FORM_TOKEN_FIELD, HONEYPOT_FIELD] as const;

// ---------------------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------------------

function isMissing(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

/**
 * The zod schema for a referral's answers. Strict: unknown fields are errors. Conditional requirements are
 * checked even when other answers are wrong, so he sees every problem at once.
 */
export function referralAnswersSchema(ctx: ValidationContext) {
  const shape: Record<string, z.ZodType> = {};
  for (const question of referralQuestions) shape[question.id] = question.schema(ctx);
  return z.strictObject(shape).superRefine(
    (answers, refinement) => {
      // Runs even when other checks failed (so every problem shows at once), so the input may be anything.
      if (typeof answers !== 'object' || answers === null || Array.isArray(answers)) return;
      const seen = answers as Record<string, unknown>;
      for (const question of referralQuestions) {
        if (!question.requiredWhen || !conditionHolds(question.requiredWhen, seen)) continue;
        if (isMissing(seen[question.id])) {
          refinement.addIssue({
            code: 'custom',
            path: [question.id],
            message: question.requiredMessage ?? DEFAULT_REQUIRED_WHEN_MESSAGE,
          });
        }
      }
    },
    { when: () => true },
  ) as unknown as z.ZodType<ReferralAnswers>;
}

/** The same answers plus the form token and honeypot: what POST /api/referrals accepts. */
export function referralSubmissionSchema(ctx: ValidationContext) {
  const shape: Record<string, z.ZodType> = {
    [FORM_TOKEN_FIELD]: z.string().max(200).describe('From GET /api/referrals/form-token (or the hidden form field).'),
    [HONEYPOT_FIELD]: z.string().max(200).optional().describe('Leave empty or leave out.'),
  };
  for (const question of referralQuestions) shape[question.id] = question.schema(ctx);
  return z.strictObject(shape);
}

export type AnswersValidation = { ok: true; answers: ReferralAnswers } | { ok: false; errors: FieldError[] };

// Building the schema costs more than checking a referral with it, and it changes only with the London date:
// build it once a day, not once a request.
let answersSchemaToday: { today: string; schema: ReturnType<typeof referralAnswersSchema> } | undefined;
function answersSchemaFor(ctx: ValidationContext): ReturnType<typeof referralAnswersSchema> {
  if (answersSchemaToday?.today !== ctx.today)
    answersSchemaToday = { today: ctx.today, schema: referralAnswersSchema(ctx) };
  return answersSchemaToday.schema;
}

/** Validates answers (without the form token and honeypot). One message per field, in form order. */
export function validateReferralAnswers(input: unknown, ctx: ValidationContext): AnswersValidation {
  const result = answersSchemaFor(ctx).safeParse(input);
  if (result.success) return { ok: true, answers: result.data };
  const byPath = new Map<string, string>();
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        if (!byPath.has(key)) byPath.set(key, 'This is not one of the questions on the form');
      }
      continue;
    }
    const path = issue.path.length > 0 ? String(issue.path[0]) : '';
    if (!byPath.has(path)) byPath.set(path, issue.message);
  }
  const order = new Map(referralQuestions.map((question, index) => [question.id, index]));
  const errors = [...byPath.entries()]
    .map(([path, message]) => ({ path, message }))
    .sort((a, b) => (order.get(a.path) ?? Number.MAX_SAFE_INTEGER) - (order.get(b.path) ?? Number.MAX_SAFE_INTEGER));
  return { ok: false, errors };
}

// ---------------------------------------------------------------------------------------------------------
// Reading a posted HTML form
// ---------------------------------------------------------------------------------------------------------

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export interface FormReading {
  /** The answers in the JSON API's shape, ready for validation. */
  answers: Record<string, unknown>;
  formToken: string | undefined;
  honeypot: string | undefined;
  /** Names in the post that the form does not have. */
  unknownFields: string[];
}

/**
 * Turns a posted form into the same shape the JSON API takes, driven by the question kinds: tick boxes
 * become lists, an unticked box or unanswered radio is left out, empty text stays empty (and is then
 * treated as "not answered").
 */
export function readPostedForm(values: FormValues): FormReading {
  const answers: Record<string, unknown> = {};
  for (const question of referralQuestions) {
    const raw = values[question.id];
    if (question.kind === 'checkboxes') {
      if (raw !== undefined) answers[question.id] = Array.isArray(raw) ? raw : [raw];
      continue;
    }
    const value = single(raw);
    if (value === undefined) continue;
    if ((question.kind === 'radios' || question.kind === 'confirm') && value === '') continue;
    answers[question.id] = value;
  }
  const known = new Set<string>([...referralQuestions.map((question) => question.id), ...META_FIELDS]);
  return {
    answers,
    formToken: single(values[FORM_TOKEN_FIELD]),
    honeypot: single(values[HONEYPOT_FIELD]),
    unknownFields: Object.keys(values).filter((name) => !known.has(name)),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Risk: crisis help first
// ---------------------------------------------------------------------------------------------------------

/**
 * True when an answer means he may be at risk right now (thoughts "often", a plan or steps taken, not able
 * or not sure he can keep himself safe). Read from the options marked `crisis` above. This only decides what
 * help is shown first; it never blocks a referral.
 */
export function answersShowRisk(answers: Readonly<Record<string, unknown>>): boolean {
  return referralQuestions.some((question) => {
    if (question.kind !== 'radios') return false;
    const value = answers[question.id];
    return question.options.some((option) => option.crisis && option.value === value);
  });
}

/** The ids of questions that have crisis answers, for the browser to watch. */
export const crisisQuestionIds: readonly string[] = referralQuestions
  .filter((question) => question.kind === 'radios' && question.options.some((option) => option.crisis))
  .map((question) => question.id);
