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

document.addEventListener('click', (e) => {
  const target = e.target as HTMLElement;
  const confirmEl = target.closest<HTMLElement>('[data-confirm]');
  if (confirmEl && !window.confirm(confirmEl.dataset.confirm ?? '')) {
    e.preventDefault();
    return;
  }
  const row = target.closest<HTMLElement>('tr[data-href]');
  if (row && !target.closest('a, button, input, select, textarea, label')) window.location.href = row.dataset.href!;
});

document.querySelectorAll<HTMLElement>('[data-autosubmit]').forEach((el) => {
  el.addEventListener('change', () => (el.closest('form') as HTMLFormElement | null)?.requestSubmit());
});
