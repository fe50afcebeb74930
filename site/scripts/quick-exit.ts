/**
 * Quick exit, after GOV.UK's "Exit this page": the link works without JavaScript; with it, leaving
 * also hides the page behind a blank overlay, replaces this page in the history (so Back does not
 * return here) and can be triggered by pressing Shift three times within 5 seconds.
 *
 * Privacy: this script stores nothing (no cookies, localStorage or sessionStorage) and sends nothing.
 */
export const SHIFT_PRESSES_TO_EXIT = 3;
export const SHIFT_WINDOW_MS = 5000;

export function initQuickExit(doc: Document): void {
  const links = Array.from(doc.querySelectorAll<HTMLAnchorElement>('a[data-quick-exit]'));
  const first = links[0];
  if (!first) return;
  const status = doc.querySelector<HTMLElement>('[data-quick-exit-status]');
  const hint = doc.querySelector<HTMLElement>('[data-quick-exit-hint]');
  if (hint) hint.textContent = `${hint.textContent ?? ''} You can also press the Shift key 3 times.`.trim();

  const announce = (message: string): void => {
    if (status) status.textContent = message;
  };

  let overlay: HTMLElement | null = null;
  let originalTitle = doc.title;

  const exit = (url: string): void => {
    originalTitle = doc.title;
    if (!overlay) {
      overlay = doc.createElement('div');
      overlay.className = 'quick-exit-overlay';
      doc.body.appendChild(overlay);
    }
    doc.body.classList.add('quick-exit-active');
    doc.title = 'Loading';
    announce('Exiting this page.');
    window.location.replace(url);
  };

  for (const link of links) {
    link.addEventListener('click', (event) => {
      // Leave new-tab and other modified clicks to the browser.
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      exit(link.href);
    });
  }

  let presses = 0;
  let cleanShift = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const reset = (): void => {
    presses = 0;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };

  doc.addEventListener('keydown', (event) => {
    if (event.key === 'Shift') {
      if (!event.repeat) cleanShift = true;
      return;
    }
    // Shift used with another key (a capital letter, Shift+Tab) is typing, not a request to leave.
    cleanShift = false;
    if (presses > 0) {
      reset();
      announce('');
    }
  });

  doc.addEventListener('keyup', (event) => {
    if (event.key !== 'Shift' || !cleanShift) return;
    cleanShift = false;
    presses += 1;
    if (presses === 1) {
      timer = setTimeout(() => {
        reset();
        announce('Exit this page expired.');
      }, SHIFT_WINDOW_MS);
    }
    if (presses >= SHIFT_PRESSES_TO_EXIT) {
      reset();
      exit(first.href);
      return;
    }
    const left = SHIFT_PRESSES_TO_EXIT - presses;
    announce(`Shift, press ${left} more ${left === 1 ? 'time' : 'times'} to exit.`);
  });

  // Coming back through the back-forward cache: show the page again.
  window.addEventListener('pageshow', (event) => {
    if (!event.persisted) return;
    doc.body.classList.remove('quick-exit-active');
    overlay?.remove();
    overlay = null;
    doc.title = originalTitle;
    announce('');
  });
}
