/**
 * The back office's idle warning. Without JavaScript every page already says when it will sign you out. This adds,
 * two minutes before that time, a warning that screen readers announce and a button that keeps the session
 * (a plain GET of /staff/account, which counts as using the back office). After the time it says that what is
 * typed now will be kept: a form sent after the session ended is kept and put back after signing in again.
 * It stores nothing and sends nothing else.
 */
const WARN_BEFORE_MS = 2 * 60_000;
const IDLE_MS = 30 * 60_000;
/** The server only notes activity once a minute, so the real limit can be up to a minute earlier. */
const TOUCH_SLACK_MS = 60_000;

const clock = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

export function initIdleWarning(doc: Document): void {
  const box = doc.querySelector<HTMLElement>('[data-idle-warning]');
  const text = box?.querySelector<HTMLElement>('[data-idle-text]');
  const button = box?.querySelector<HTMLButtonElement>('[data-idle-stay]');
  const absolute = Number(box?.dataset.absoluteAt);
  if (!box || !text || !button) return;
  let signOutAt = Number(box.dataset.signOutAt);
  if (!Number.isFinite(signOutAt)) return;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const show = (message: string, urgent: boolean) => {
    text.textContent = message;
    box.classList.toggle('idle-warning--urgent', urgent);
  };

  const schedule = () => {
    if (timer) clearTimeout(timer);
    const left = signOutAt - Date.now();
    if (left <= 0) {
      show(
        'You have been signed out because the back office was not used for 30 minutes. Anything you send now is kept: you will be asked to sign in, then it will be back in the form.',
        true,
      );
      box.setAttribute('role', 'alert');
      button.hidden = true;
      return;
    }
    if (left <= WARN_BEFORE_MS) {
      box.setAttribute('role', 'alert');
      show(
        `You will be signed out at ${clock.format(signOutAt)}, in ${Math.max(1, Math.round(left / 60_000))} minute${left > 90_000 ? 's' : ''}, because the back office has not been used. Choose "Stay signed in" to carry on.`,
        true,
      );
      button.hidden = false;
      timer = setTimeout(schedule, Math.min(left, 30_000));
      return;
    }
    timer = setTimeout(schedule, left - WARN_BEFORE_MS);
  };

  button.addEventListener('click', () => {
    button.disabled = true;
    fetch('/staff/account', { credentials: 'same-origin', redirect: 'manual', cache: 'no-store' })
      .then((response) => {
        if (response.status !== 200) throw new Error('signed out');
        signOutAt = Math.min(Date.now() + IDLE_MS - TOUCH_SLACK_MS, Number.isFinite(absolute) ? absolute : Infinity);
        box.removeAttribute('role');
        show(
          `You are still signed in. If you do nothing, you will be signed out at ${clock.format(signOutAt)}.`,
          false,
        );
        button.hidden = true;
        schedule();
      })
      .catch(() => {
        signOutAt = 0;
        schedule();
      })
      .finally(() => {
        button.disabled = false;
      });
  });

  // Typing in a form is activity for the person, though not for the server: remind them before it is too late.
  schedule();
}
