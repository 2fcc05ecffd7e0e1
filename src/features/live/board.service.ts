// Assembles a board for a viewer: who may see what (supervisors their teams' operators and the
// shared queue; leadership figures only), the recent rows, and the pure decisions of board.ts.
import type { Knex } from 'knex';
import type { Config } from '../../config';
import type { Role } from '../../auth/roles';
import { buildBoard, type BoardSnapshot } from './board';
import * as repo from './live.repository';

export const LIVE_ROLES: readonly Role[] = ['admin', 'supervisor', 'specialist', 'leadership'];
/** Who may take a complex case from the board. */
export const TAKE_ROLES: readonly Role[] = ['supervisor', 'admin'];

export interface Visibility {
  /** one snapshot is computed per key and shared by every board with it */
  key: string;
  operatorIds: Set<number> | null;
  aggregatesOnly: boolean;
}

export async function visibilityFor(db: Knex, user: { id: number; role: Role }): Promise<Visibility> {
  if (user.role === 'leadership') return { key: 'aggregates', operatorIds: null, aggregatesOnly: true };
  if (user.role === 'supervisor') return { key: `supervisor:${user.id}`, operatorIds: new Set(await repo.operatorIdsOfSupervisor(db, user.id)), aggregatesOnly: false };
  return { key: 'all', operatorIds: null, aggregatesOnly: false };
}

/** Whether a feed item about this operator reaches a board with this visibility. */
export function itemVisible(v: Visibility, operatorId: number | null): boolean {
  if (v.aggregatesOnly) return false;
  return v.operatorIds === null || operatorId === null || v.operatorIds.has(operatorId);
}

const H = 3600000;

export async function loadBoard(db: Knex, config: Pick<Config, 'live'>, now: Date, v: Visibility, directory?: Map<number, repo.OperatorInfo>): Promise<BoardSnapshot> {
  const t = now.getTime();
  const iso = (ms: number) => new Date(ms).toISOString();
  const l = config.live;
  const [open, recent, dropped, cards, complex, requests, states, dir, last, followups] = await Promise.all([
    repo.openCalls(db, iso(t - 12 * H)),
    repo.callsStartedSince(db, iso(t - H)),
    repo.droppedSince(db, iso(t - 2 * H)),
    repo.incompleteCards(db, iso(t - 4 * H), iso(t - l.cardIncompleteMinutes * 60000)),
    repo.complexCasesSince(db, iso(t - 4 * H)),
    repo.openServiceRequests(db, iso(t - 24 * H)),
    repo.latestOperatorStates(db, iso(t - 14 * H)),
    directory ? Promise.resolve(directory) : repo.operatorDirectory(db),
    repo.lastEvent(db),
    repo.openFollowupCount(db),
  ]);
  return buildBoard({
    now,
    settings: {
      callbackWithinMinutes: l.callbackWithinMinutes,
      cardIncompleteMinutes: l.cardIncompleteMinutes,
      serviceLevelTarget: l.serviceLevelTarget,
      abandonedAlertPercent: l.abandonedAlertPercent,
      queueAlert: l.queueAlert,
      staleSeconds: l.staleSeconds,
    },
    open,
    recent,
    dropped: dropped.dropped,
    callbacks: dropped.callbacks,
    cards,
    complex,
    requests,
    states,
    directory: dir,
    lastEventAt: last?.receivedAt ?? null,
    followupsOpen: followups.open,
    visibleOperatorIds: v.operatorIds,
    aggregatesOnly: v.aggregatesOnly,
  });
}
