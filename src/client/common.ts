// Shared browser behaviour for every page: confirm dialogs, clickable rows, CSRF header for fetch,
// the page language's locale for numbers and Tashkent time for clocks.
export function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';
}

/** The Intl locale of the page's language (<html lang>), as the server formats with (i18n LOCALE_TAGS). */
export function localeTag(lang = document.documentElement.lang || 'uz'): string {
  return ({ uz: 'uz-Latn-UZ', 'uz-Cyrl': 'uz-Cyrl-UZ', ru: 'ru-RU', en: 'en-GB' } as Record<string, string>)[lang] ?? 'uz-Latn-UZ';
}

/** hh:mm of an instant in Tashkent, 24-hour, whatever the computer's clock zone (as the server shows times). */
export function tashkentTime(at: Date = new Date()): string {
  return new Intl.DateTimeFormat('ru-RU', { timeZone: 'Asia/Tashkent', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
}

/**
 * Asks in the app's own dialog (the layout's <dialog id="app-confirm">, translated, keyboard and
 * screen-reader friendly: focus stays inside, Esc cancels) and resolves true when confirmed.
 * Without the dialog (signed-out pages) it falls back to the browser's confirm.
 */
export function confirmDialog(message: string): Promise<boolean> {
  const dialog = document.querySelector<HTMLDialogElement>('#app-confirm');
  if (!dialog || typeof dialog.showModal !== 'function') return Promise.resolve(window.confirm(message));
  const text = dialog.querySelector<HTMLElement>('#app-confirm-text')!;
  text.textContent = message;
  dialog.returnValue = '';
  const opener = document.activeElement as HTMLElement | null;
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      opener?.focus?.({ preventScroll: true });
      resolve(dialog.returnValue === 'ok');
    }, { once: true });
    dialog.showModal();
    dialog.querySelector<HTMLButtonElement>('[data-role="cancel"]')?.focus();
  });
}

/** Elements whose data-confirm question was answered yes: their next click goes through. */
const confirmed = new WeakSet<HTMLElement>();

document.addEventListener('click', (e) => {
  const target = e.target as HTMLElement;
  const confirmEl = target.closest<HTMLElement>('[data-confirm]');
  if (confirmEl && !confirmed.has(confirmEl)) {
    e.preventDefault();
    e.stopImmediatePropagation();
    void confirmDialog(confirmEl.dataset.confirm ?? '').then((ok) => {
      if (!ok) return;
      confirmed.add(confirmEl);
      // Do what the click would have done: submit with this button, follow the link, or click again.
      const form = (confirmEl as HTMLButtonElement).form ?? null;
      if (form && (confirmEl.matches('button:not([type]), button[type="submit"], input[type="submit"]'))) form.requestSubmit(confirmEl as HTMLButtonElement);
      else confirmEl.click();
      confirmed.delete(confirmEl);
    });
    return;
  }
  const row = target.closest<HTMLElement>('tr[data-href]');
  if (row && !target.closest('a, button, input, select, textarea, label')) window.location.href = row.dataset.href!;
});

document.querySelectorAll<HTMLElement>('[data-autosubmit]').forEach((el) => {
  el.addEventListener('change', () => (el.closest('form') as HTMLFormElement | null)?.requestSubmit());
});

/**
 * A box that scrolls (a wide table, a long list) must be reachable by keyboard: it gets a tab stop
 * when it scrolls and holds nothing focusable of its own (WCAG 2.1.1), and loses it when it no longer does.
 */
function scrollBoxesFocusable(): void {
  document.querySelectorAll<HTMLElement>('.table-wrap, .scroll-box, .marks-list, .rubric-body').forEach((box) => {
    const scrolls = box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
    const hasFocusable = Boolean(box.querySelector('a[href], button:enabled, input:enabled, select:enabled, textarea:enabled, [tabindex]:not([tabindex="-1"])'));
    if (scrolls && !hasFocusable) {
      box.tabIndex = 0;
      if (!box.hasAttribute('role')) box.setAttribute('role', 'region');
      const label = box.querySelector('caption')?.textContent?.trim() || box.closest('section, .card')?.querySelector('h2, h3')?.textContent?.trim();
      if (label && !box.hasAttribute('aria-label')) box.setAttribute('aria-label', label);
    } else if (box.getAttribute('tabindex') === '0' && !scrolls) {
      box.removeAttribute('tabindex');
    }
  });
}
// After the page has loaded and been drawn: measuring the boxes earlier would force a layout of the
// whole page in the middle of its start (the evaluation page's player waits for that).
const whenLoaded = () => requestAnimationFrame(() => setTimeout(scrollBoxesFocusable, 0));
if (document.readyState === 'complete') whenLoaded();
else window.addEventListener('load', whenLoaded, { once: true });
window.addEventListener('resize', scrollBoxesFocusable);
document.addEventListener('toggle', scrollBoxesFocusable, true);
