// Shared browser behaviour for every page: confirm dialogs, clickable rows, CSRF header for fetch.
export function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';
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
