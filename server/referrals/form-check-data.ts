/**
 * Turns each question's definition (./questions.ts) into the plain, serialisable checks the browser makes
 * before sending (./form-checks.ts). Used when the form is rendered: each question's wrapper carries its
 * check as JSON in a `data-check` attribute (never an inline script: the CSP forbids those). Nothing here is
 * typed twice: messages, limits, conditions and patterns are all read from the definitions.
 */
import type { FormCheck, QuestionCheck } from './form-checks.ts';
import {
  DEFAULT_REQUIRED_WHEN_MESSAGE,
  DEFAULT_TEXT_REQUIRED_MESSAGE,
  EMAIL_INVALID_MESSAGE,
  EMAIL_PATTERN,
  UK_PHONE_INVALID_MESSAGE,
  dateRuleFor,
  referralQuestions,
  type Question,
} from './questions.ts';

export function formCheckFor(question: Question): FormCheck {
  const check: FormCheck = {};
  if (question.required) {
    check.required = question.requiredMessage ?? DEFAULT_TEXT_REQUIRED_MESSAGE;
  } else if (question.requiredWhen) {
    check.required = question.requiredMessage ?? DEFAULT_REQUIRED_WHEN_MESSAGE;
    check.when = question.requiredWhen;
  }
  switch (question.kind) {
    case 'text':
      check.text = 's';
      check.max = question.maxLength;
      check.tooLong = question.tooLongMessage;
      if (question.format === 'email') {
        check.pattern = EMAIL_PATTERN.source;
        check.invalid = EMAIL_INVALID_MESSAGE;
      }
      if (question.format === 'uk-phone') check.phone = { invalid: UK_PHONE_INVALID_MESSAGE };
      break;
    case 'textarea':
      check.text = 'm';
      check.max = question.maxLength;
      check.tooLong = question.tooLongMessage;
      break;
    case 'date':
      check.text = 's';
      check.date = dateRuleFor(question);
      break;
    // Radios, tick boxes and the confirm box: only "is it answered"; their values come from the form itself.
    case 'radios':
    case 'checkboxes':
    case 'confirm':
      break;
  }
  return check;
}

/** Every question's check, in form order. */
export const referralFormChecks: readonly QuestionCheck[] = referralQuestions.map((question) => ({
  id: question.id,
  check: formCheckFor(question),
}));
