// Browser code of an import's page: while the import runs, poll its status and move the progress
// bar and the counts; when it ends, reload to show the result. (Served compiled by the imports
// page as the 'imports' bundle.)
const box = document.querySelector<HTMLElement>('[data-import-status]');
import { localeTag } from './common';

if (box) {
  const url = box.dataset.importStatus!;
  const bar = box.querySelector<HTMLElement>('.progress > span');
  const barWrap = box.querySelector<HTMLElement>('.progress');
  const percent = box.querySelector<HTMLElement>('[data-percent]');
  const label = box.querySelector<HTMLElement>('[data-status-label]');
  const numberFormat = new Intl.NumberFormat(localeTag());
  let failures = 0;

  const tick = async (): Promise<void> => {
    try {
      const res = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      if (!res.ok) throw new Error(String(res.status));
      const s = (await res.json()) as Record<string, number | string | boolean>;
      failures = 0;
      const p = Math.max(0, Math.min(100, Number(s.progress) || 0));
      if (bar) bar.style.width = `${p}%`;
      if (barWrap) barWrap.setAttribute('aria-valuenow', String(p));
      if (percent) percent.textContent = `${p}%`;
      if (label && typeof s.statusLabel === 'string') label.textContent = s.statusLabel;
      document.querySelectorAll<HTMLElement>('[data-count]').forEach((el) => {
        const v = s[el.dataset.count!];
        if (typeof v === 'number') el.textContent = numberFormat.format(v);
      });
      if (s.finished) {
        window.location.reload();
        return;
      }
    } catch {
      failures++;
    }
    // Back off while the server does not answer; never give up silently for good.
    window.setTimeout(() => void tick(), failures ? Math.min(10000, 1000 * 2 ** failures) : 1000);
  };
  window.setTimeout(() => void tick(), 700);
}

export {};
