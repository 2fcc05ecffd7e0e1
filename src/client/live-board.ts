// The live board in the browser: one EventSource to /live/stream. Feed items are added once each
// (by their sequence), the board's fragment is swapped when it changes, and countdowns tick every
// second between updates. The browser reconnects by itself and sends Last-Event-ID; the server
// sends what was missed, so nothing is lost or shown twice.
import { csrfToken } from './common';

const root = document.querySelector<HTMLElement>('[data-live]');
if (root) start(root);

function start(root: HTMLElement): void {
  const boardEl = root.querySelector<HTMLElement>('[data-live-board]')!;
  const feed = root.querySelector<HTMLOListElement>('[data-live-feed]');
  const feedEmpty = root.querySelector<HTMLElement>('[data-live-feed-empty]');
  const status = root.querySelector<HTMLElement>('[data-live-connection]');
  const statusText = root.querySelector<HTMLElement>('[data-live-connection-text]');
  let lastSeen = Number(root.dataset.lastEventId ?? '0');
  const MAX_FEED = 120;

  const setStatus = (state: 'live' | 'reconnecting') => {
    status?.setAttribute('data-state', state);
    if (statusText) statusText.textContent = state === 'live' ? root.dataset.labelLive ?? '' : root.dataset.labelReconnecting ?? '';
  };

  const fillCsrf = (el: ParentNode) => el.querySelectorAll<HTMLInputElement>('input[data-csrf]').forEach((i) => (i.value = csrfToken()));
  fillCsrf(boardEl);

  const source = new EventSource(`${root.dataset.stream}?lastEventId=${lastSeen}`);
  source.addEventListener('open', () => setStatus('live'));
  source.addEventListener('error', () => setStatus('reconnecting'));
  source.addEventListener('item', (ev) => {
    const { seq, html } = JSON.parse((ev as MessageEvent<string>).data) as { seq: number; html: string };
    if (seq <= lastSeen) return;
    lastSeen = seq;
    if (!feed) return;
    feed.insertAdjacentHTML('afterbegin', html);
    while (feed.children.length > MAX_FEED) feed.lastElementChild?.remove();
    feedEmpty?.setAttribute('hidden', '');
  });
  source.addEventListener('board', (ev) => {
    const { html } = JSON.parse((ev as MessageEvent<string>).data) as { html: string };
    boardEl.innerHTML = html;
    fillCsrf(boardEl);
    tick();
  });
  source.addEventListener('reset', () => {
    if (feed) feed.innerHTML = '';
  });
  window.addEventListener('pagehide', () => source.close());

  const mmss = (ms: number) => {
    const s = Math.floor(Math.abs(ms) / 1000);
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  };
  function tick(): void {
    const now = Date.now();
    boardEl.querySelectorAll<HTMLElement>('[data-deadline]').forEach((el) => {
      const left = Date.parse(el.dataset.deadline!) - now;
      el.textContent = left >= 0 ? `${mmss(left)} ${root.dataset.labelLeft ?? ''}` : `${root.dataset.labelOverdue ?? ''} ${mmss(left)}`;
      el.closest('tr')?.classList.toggle('row-overdue', left < 0);
    });
    boardEl.querySelectorAll<HTMLElement>('[data-since]').forEach((el) => {
      el.dataset.clock ??= el.textContent ?? '';
      el.textContent = `${el.dataset.clock} · ${mmss(now - Date.parse(el.dataset.since!))}`;
    });
  }
  tick();
  setInterval(tick, 1000);
}
