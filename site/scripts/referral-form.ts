/**
 * Progressive enhancement of the self-referral form (site/components/referral/ReferralForm.astro).
 * Without this script the form works completely; with it:
 * - the checks the server makes run before sending, with the same messages in the same places (an error
 *   summary at the top, a message beside each question). The checks are data on the form (`data-check`,
 *   derived from the question definitions when the page is rendered) applied by
 *   server/referrals/form-checks.ts, which is dependency-free: no zod or libphonenumber-js in the page;
 * - questions that only apply after an earlier answer are shown only then (they are always there without
 *   JavaScript);
 * - crisis help appears the moment an answer shows risk (inputs marked `data-crisis`), and help for
 *   under-18s when he says he is under 18.
 * It stores nothing: no localStorage, sessionStorage, IndexedDB or cookies, and it sends nothing itself.
 */
import {
  checkFormValues,
  conditionHolds,
  type FieldError,
  type FormCheck,
  type FormValues,
  type QuestionCheck,
} from '../../server/referrals/form-checks.ts';

const londonToday = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

function formValues(form: HTMLFormElement): FormValues {
  const values: FormValues = {};
  const data = new FormData(form);
  for (const name of new Set(data.keys())) {
    const all = data.getAll(name).filter((entry): entry is string => typeof entry === 'string');
    values[name] = all.length > 1 ? all : all[0];
  }
  return values;
}

function questionElement(form: HTMLFormElement, id: string): HTMLElement | null {
  return form.querySelector<HTMLElement>(`[data-question="${CSS.escape(id)}"]`);
}

function describedByTarget(wrapper: HTMLElement): HTMLElement | null {
  return wrapper.querySelector<HTMLElement>('fieldset') ?? wrapper.querySelector<HTMLElement>('input, textarea');
}

function setDescribedBy(target: HTMLElement, id: string, present: boolean): void {
  const ids = new Set((target.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean));
  if (present) ids.add(id);
  else ids.delete(id);
  if (ids.size > 0) target.setAttribute('aria-describedby', [...ids].join(' '));
  else target.removeAttribute('aria-describedby');
}

/** Puts one question's message in place (or removes it), in the same markup the server renders. */
function showFieldError(form: HTMLFormElement, id: string, message: string | undefined): void {
  const wrapper = questionElement(form, id);
  if (!wrapper) return;
  const errorId = `${id}-error`;
  let element = wrapper.querySelector<HTMLElement>(`#${CSS.escape(errorId)}`);
  const target = describedByTarget(wrapper);
  if (!message) {
    element?.remove();
    wrapper.classList.remove('question--error');
    if (target) setDescribedBy(target, errorId, false);
    wrapper.querySelectorAll('input, textarea').forEach((input) => input.removeAttribute('aria-invalid'));
    return;
  }
  if (!element) {
    element = document.createElement('p');
    element.id = errorId;
    element.className = 'question__error';
    // Copy a scoped-style attribute from a sibling so Astro's component styles apply to the new element.
    const styled = wrapper.querySelector('.question__label');
    for (const attribute of Array.from(styled?.attributes ?? [])) {
      if (attribute.name.startsWith('data-astro-cid')) element.setAttribute(attribute.name, attribute.value);
    }
    const anchor = wrapper.querySelector('.choices, .choice, input, textarea');
    anchor?.parentElement?.insertBefore(element, anchor);
  }
  element.replaceChildren();
  const prefix = document.createElement('span');
  prefix.className = 'visually-hidden';
  prefix.textContent = 'Error:';
  element.append(prefix, ` ${message}`);
  wrapper.classList.add('question--error');
  if (target) setDescribedBy(target, errorId, true);
  const input = wrapper.querySelector('input:not([type=radio]):not([type=checkbox]), textarea');
  input?.setAttribute('aria-invalid', 'true');
}

/** Every message found in the browser belongs to a question, so each links to it. */
function showSummary(summary: HTMLElement, errors: FieldError[]): void {
  const list = summary.querySelector<HTMLElement>('[data-error-summary-list]');
  if (!list) return;
  list.replaceChildren(
    ...errors.map((error) => {
      const item = document.createElement('li');
      const link = document.createElement('a');
      link.href = `#${error.path}`;
      link.textContent = error.message;
      item.append(link);
      return item;
    }),
  );
  summary.hidden = errors.length === 0;
}

/** Moves focus to the question's first input and brings its label into view, as GOV.UK's summary does. */
function focusQuestion(form: HTMLFormElement, id: string): void {
  const input = form.querySelector<HTMLElement>(`#${CSS.escape(id)}`);
  if (!input) return;
  const wrapper = questionElement(form, id);
  wrapper?.scrollIntoView({ block: 'start' });
  input.focus({ preventScroll: true });
}

/** Each question's checks, in form order, as the page carries them. */
function readChecks(form: HTMLFormElement): QuestionCheck[] {
  return Array.from(form.querySelectorAll<HTMLElement>('[data-question]'), (wrapper) => ({
    id: wrapper.dataset.question ?? '',
    check: JSON.parse(wrapper.dataset.check ?? '{}') as FormCheck,
  }));
}

/** Shows a question only when it applies; one that has an answer or a message always stays visible. */
function updateConditionalQuestions(form: HTMLFormElement, checks: QuestionCheck[], values: FormValues): void {
  for (const { id, check } of checks) {
    const wrapper = check.when && questionElement(form, id);
    if (!wrapper || !check.when) continue;
    const value = values[id];
    const hasValue = Array.isArray(value) ? value.length > 0 : value !== undefined && value !== '';
    const hasError = wrapper.classList.contains('question--error');
    wrapper.hidden = !(conditionHolds(check.when, values) || hasValue || hasError);
  }
}

/** Fills a live region from its template when `show` is true, and empties it otherwise. */
function updateLivePanel(region: HTMLElement | null, template: HTMLTemplateElement | null, show: boolean): void {
  if (!region || !template) return;
  const showing = region.childElementCount > 0;
  if (show && !showing) region.replaceChildren(template.content.cloneNode(true));
  if (!show && showing) region.replaceChildren();
}

export function initReferralForm(doc: Document): void {
  const form = doc.querySelector<HTMLFormElement>('form[data-referral-form]');
  const summary = doc.querySelector<HTMLElement>('[data-error-summary]');
  if (!form || !summary) return;
  const riskRegion = form.querySelector<HTMLElement>('[data-risk-live]');
  const riskTemplate = doc.querySelector<HTMLTemplateElement>('template[data-risk-template]');
  const under18Region = form.querySelector<HTMLElement>('[data-under-18-live]');
  const under18Template = doc.querySelector<HTMLTemplateElement>('template[data-under-18-template]');
  const checks = readChecks(form);
  let triedToSend = false;

  const refresh = () => {
    const values = formValues(form);
    updateConditionalQuestions(form, checks, values);
    updateLivePanel(riskRegion, riskTemplate, form.querySelector('input[data-crisis]:checked') !== null);
    updateLivePanel(under18Region, under18Template, values.over18 === 'no');
    return values;
  };

  const check = (values: FormValues): FieldError[] => {
    // Someone under 18 is shown who can help; the server stores nothing for them, so there is nothing to check.
    if (values.over18 === 'no') return [];
    return checkFormValues(checks, values, londonToday.format(new Date()));
  };

  const showErrors = (errors: FieldError[]) => {
    const byId = new Map(errors.map((error) => [error.path, error.message]));
    for (const { id } of checks) showFieldError(form, id, byId.get(id));
    showSummary(summary, errors);
  };

  form.addEventListener('change', () => {
    const values = refresh();
    // After a failed send, messages disappear as soon as a question is put right.
    if (triedToSend) showErrors(check(values));
  });
  form.addEventListener('input', (event) => {
    if ((event.target as HTMLElement | null)?.getAttribute('name') === 'email') refresh();
  });

  form.addEventListener('submit', (event) => {
    const values = refresh();
    const errors = check(values);
    if (errors.length === 0) return;
    event.preventDefault();
    triedToSend = true;
    showErrors(errors);
    updateConditionalQuestions(form, checks, values);
    doc.title = doc.title.startsWith('Error: ') ? doc.title : `Error: ${doc.title}`;
    summary.focus();
    summary.scrollIntoView({ block: 'start' });
  });

  summary.addEventListener('click', (event) => {
    const link = (event.target as HTMLElement | null)?.closest('a');
    const id = link?.getAttribute('href')?.slice(1);
    if (!link || !id || !checks.some((entry) => entry.id === id)) return;
    event.preventDefault();
    focusQuestion(form, id);
  });

  refresh();
  // After the server sent the form back with messages, start at the summary (as the page title says).
  if (!summary.hidden) {
    triedToSend = true;
    summary.focus();
  } else {
    doc.querySelector<HTMLElement>('[data-notice]')?.setAttribute('tabindex', '-1');
    doc.querySelector<HTMLElement>('[data-notice]')?.focus();
  }
}
