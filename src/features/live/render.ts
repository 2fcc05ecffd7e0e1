// The board's HTML, rendered on the server for the first page and for every update the stream
// sends (so the browser only swaps fragments), and one feed line per event. Per language.
import path from 'node:path';
import ejs from 'ejs';
import { ROOT_DIR } from '../../config';
import { formatters, translator, type Language } from '../../i18n';
import { tashkentClock } from '../../time';
import type { BoardSnapshot } from './board';
import type { FeedRow, OperatorInfo } from './live.repository';

const BOARD_VIEW = path.join(ROOT_DIR, 'views', 'live', '_board.ejs');

export async function renderBoard(board: BoardSnapshot, lang: Language, o: { canTake: boolean; csrf: string }): Promise<string> {
  return ejs.renderFile(BOARD_VIEW, { board, t: translator(lang), fmt: formatters(lang), lang, canTake: o.canTake, csrfToken: () => o.csrf, clock: tashkentClock }, { cache: true, async: false });
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** One line of the live feed: time, what happened, the call and the operator. */
export function renderFeedItem(row: FeedRow, lang: Language, directory: Map<number, OperatorInfo>): string {
  const t = translator(lang);
  const e = row.event as Record<string, unknown>;
  const op = row.operatorId !== null ? directory.get(row.operatorId) : undefined;
  const detail: string[] = [];
  if (row.type === 'call.ended') detail.push(t(`live.reason.${String(e.reason)}`));
  if (row.type === 'callback.attempted') detail.push(t(`live.callbackResult.${String(e.result)}`));
  if (row.type === 'operator.state') detail.push(t(`live.state.${String(e.state)}`));
  if (row.type === 'service.dispatched' || row.type === 'service.outcome') detail.push(t(`calls.service.${String(e.service)}.short`));
  if (row.type === 'service.outcome') detail.push(t(`live.outcome.${String(e.outcome)}`));
  if (row.type === 'satisfaction.scored') detail.push(`${String(e.score)}/5`);
  const kind = row.type.split('.')[0];
  const who = op ? `${op.name} (${op.code})` : row.operatorCode ?? '';
  return (
    `<li class="feed-item feed-kind-${esc(kind ?? '')}${row.status === 'held' ? ' feed-held' : ''}" data-seq="${row.seq}">` +
    `<time datetime="${esc(row.at)}">${esc(tashkentClock(row.at))}</time> ` +
    `<span class="feed-type">${esc(t(`events.type.${row.type}`))}</span>` +
    (detail.length ? ` <span class="feed-detail">${esc(detail.join(' · '))}</span>` : '') +
    (row.callRef ? ` <span class="feed-call mono">${esc(row.callRef)}</span>` : '') +
    (who ? ` <span class="feed-who">${esc(who)}</span>` : '') +
    (row.status === 'held' ? ` <span class="badge badge-warn">${esc(t('live.feed.held'))}</span>` : '') +
    `</li>`
  );
}

export function fmtFor(lang: Language) {
  return formatters(lang);
}
