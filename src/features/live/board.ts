// What the live board shows, decided from recent rows: the rolling figures, each operator's state
// and call, dropped calls waiting for a callback (with their deadline and who should call), cards
// still incomplete, complex cases, open service requests, and the alerts. Pure: unit tested.
import type { CardGap, ComplexCaseRow, OpenRequest, OperatorInfo, OperatorStateRow, RecentCall } from './live.repository';

export interface BoardSettings {
  callbackWithinMinutes: number;
  cardIncompleteMinutes: number;
  serviceLevelTarget: number;
  abandonedAlertPercent: number;
  queueAlert: number;
  staleSeconds: number;
}

export interface BoardInput {
  now: Date;
  settings: BoardSettings;
  open: RecentCall[];
  recent: RecentCall[];
  dropped: RecentCall[];
  callbacks: RecentCall[];
  cards: CardGap[];
  complex: ComplexCaseRow[];
  requests: OpenRequest[];
  states: OperatorStateRow[];
  directory: Map<number, OperatorInfo>;
  lastEventAt: string | null;
  followupsOpen: number;
  /** a supervisor's operators; null = every operator */
  visibleOperatorIds: Set<number> | null;
  /** leadership: figures only, no people or calls */
  aggregatesOnly: boolean;
}

export interface WindowFigures {
  offered: number;
  answered: number;
  abandoned: number;
  /** share of answered calls answered within 10 / 20 s; null without answered calls */
  within10: number | null;
  within20: number | null;
  abandonedRate: number | null;
}

export interface OperatorLine {
  id: number | null;
  code: string;
  name: string | null;
  teamName: string | null;
  state: string;
  since: string;
  call: { externalId: string; since: string } | null;
}

export interface CallbackLine {
  callId: number;
  externalId: string;
  endedAt: string;
  deadline: string;
  attempts: number;
  overdue: boolean;
  operator: { code: string; name: string } | null;
  suggested: { code: string; name: string } | null;
}

export interface Alert {
  key: string;
  params: Record<string, unknown>;
}

export interface BoardSnapshot {
  at: string;
  aggregatesOnly: boolean;
  inProgress: number;
  waiting: number;
  talking: number;
  last15: WindowFigures;
  last60: WindowFigures;
  operatorCounts: Record<string, number>;
  operators: OperatorLine[];
  callbacks: CallbackLine[];
  callbacksWaiting: number;
  cards: (CardGap & { operatorName: string | null })[];
  cardsIncomplete: number;
  complex: (ComplexCaseRow & { operatorName: string | null })[];
  complexOpen: number;
  requests: (OpenRequest & { minutes: number })[];
  requestsOpen: number;
  followupsOpen: number;
  lastEventAt: string | null;
  stale: boolean;
  alerts: Alert[];
  /** service-level targets shown beside the figures, % answered within 10 and 20 s */
  targets: { within10: number; within20: number };
}

/** NENA's answer-time standard: 95 % of calls answered within 20 s. */
export const SERVICE_LEVEL_20S_TARGET = 95;

const MIN = 60000;
const SIGNED_IN = new Set(['logged_in', 'ready', 'busy', 'break']);

/** Offered, answered, abandoned and the answer-time service level of calls started in a window. Pure. */
export function windowFigures(calls: readonly RecentCall[], sinceIso: string): WindowFigures {
  const inWindow = calls.filter((c) => c.startedAt >= sinceIso && c.callbackOfCallId === null);
  const answered = inWindow.filter((c) => c.answeredAt);
  const abandoned = inWindow.filter((c) => !c.answeredAt && c.endedAt).length;
  const delay = (c: RecentCall) => (Date.parse(c.answeredAt!) - Date.parse(c.startedAt)) / 1000;
  const share = (limit: number) => (answered.length ? answered.filter((c) => delay(c) <= limit).length / answered.length : null);
  const finished = answered.length + abandoned;
  return { offered: inWindow.length, answered: answered.length, abandoned, within10: share(10), within20: share(20), abandonedRate: finished ? abandoned / finished : null };
}

/**
 * Who should call a dropped call back: its own operator while signed in, else a ready operator of
 * the same team, else any ready operator. Pure.
 */
export function whoShouldCall(operatorId: number | null, stateOf: Map<number, string>, directory: Map<number, OperatorInfo>): OperatorInfo | null {
  if (operatorId !== null && SIGNED_IN.has(stateOf.get(operatorId) ?? '') && stateOf.get(operatorId) !== 'break') return directory.get(operatorId) ?? null;
  const ready = [...stateOf].filter(([, s]) => s === 'ready').map(([id]) => directory.get(id)).filter((o): o is OperatorInfo => !!o);
  const team = operatorId !== null ? directory.get(operatorId)?.teamId : undefined;
  return ready.find((o) => team != null && o.teamId === team) ?? ready[0] ?? null;
}

export function buildBoard(i: BoardInput): BoardSnapshot {
  const now = i.now.getTime();
  const s = i.settings;
  const iso = (ms: number) => new Date(ms).toISOString();
  const visible = (operatorId: number | null) => i.visibleOperatorIds === null || (operatorId !== null && i.visibleOperatorIds.has(operatorId));
  // A call no operator has taken yet belongs to the whole floor.
  const shared = (operatorId: number | null) => operatorId === null || visible(operatorId);
  const name = (id: number | null) => (id === null ? null : (i.directory.get(id)?.name ?? null));

  const last15 = windowFigures(i.recent, iso(now - 15 * MIN));
  const last60 = windowFigures(i.recent, iso(now - 60 * MIN));
  const waiting = i.open.filter((c) => !c.answeredAt).length;

  const stateOf = new Map<number, string>();
  for (const st of i.states) if (st.operatorId !== null) stateOf.set(st.operatorId, st.state);
  const operatorCounts: Record<string, number> = { ready: 0, busy: 0, break: 0, logged_in: 0 };
  for (const st of i.states) if (SIGNED_IN.has(st.state) && (st.operatorId === null || visible(st.operatorId))) operatorCounts[st.state] = (operatorCounts[st.state] ?? 0) + 1;

  const callOf = new Map<number, RecentCall>();
  for (const c of i.open) if (c.operatorId !== null && c.answeredAt) callOf.set(c.operatorId, c);
  const operators: OperatorLine[] = i.states
    .filter((st) => SIGNED_IN.has(st.state) && (i.visibleOperatorIds === null || (st.operatorId !== null && visible(st.operatorId))))
    .map((st) => {
      const info = st.operatorId !== null ? i.directory.get(st.operatorId) : undefined;
      const call = st.operatorId !== null ? callOf.get(st.operatorId) : undefined;
      return { id: st.operatorId, code: st.operatorCode, name: info?.name ?? null, teamName: info?.teamName ?? null, state: st.state, since: st.since, call: call ? { externalId: call.externalId, since: call.answeredAt! } : null };
    })
    .sort((a, b) => stateRank(a.state) - stateRank(b.state) || (a.name ?? a.code).localeCompare(b.name ?? b.code));

  const attempts = new Map<number, RecentCall[]>();
  for (const cb of i.callbacks) if (cb.callbackOfCallId !== null) attempts.set(cb.callbackOfCallId, [...(attempts.get(cb.callbackOfCallId) ?? []), cb]);
  const callbacks: CallbackLine[] = i.dropped
    .filter((d) => d.endedAt && shared(d.operatorId))
    .map((d) => ({ d, tries: attempts.get(d.id) ?? [] }))
    .filter(({ tries }) => !tries.some((t) => t.answeredAt) && tries.length < 3)
    .map(({ d, tries }) => {
      const deadline = Date.parse(d.endedAt!) + s.callbackWithinMinutes * MIN;
      const op = d.operatorId !== null ? i.directory.get(d.operatorId) : undefined;
      const who = whoShouldCall(d.operatorId, stateOf, i.directory);
      return {
        callId: d.id,
        externalId: d.externalId,
        endedAt: d.endedAt!,
        deadline: iso(deadline),
        attempts: tries.length,
        overdue: deadline < now,
        operator: op ? { code: op.code, name: op.name } : null,
        suggested: who ? { code: who.code, name: who.name } : null,
      };
    })
    .sort((a, b) => a.deadline.localeCompare(b.deadline));

  const cards = i.cards.filter((c) => shared(c.operatorId)).map((c) => ({ ...c, operatorName: name(c.operatorId) }));
  const complex = i.complex.filter((c) => shared(c.operatorId)).map((c) => ({ ...c, operatorName: name(c.operatorId) }));
  const requests = i.requests.filter((r) => shared(r.operatorId)).map((r) => ({ ...r, minutes: Math.max(0, Math.floor((now - Date.parse(r.dispatchedAt)) / MIN)) }));
  const stale = i.lastEventAt === null || now - Date.parse(i.lastEventAt) > s.staleSeconds * 1000;

  const alerts: Alert[] = [];
  if (stale) alerts.push({ key: i.lastEventAt ? 'live.alert.stale' : 'live.alert.noEvents', params: { since: i.lastEventAt } });
  if (last60.within10 !== null && last60.answered >= 5 && last60.within10 * 100 < s.serviceLevelTarget) alerts.push({ key: 'live.alert.serviceLevel', params: { value: Math.round(last60.within10 * 100), target: s.serviceLevelTarget } });
  if (last60.abandonedRate !== null && last60.offered >= 5 && last60.abandonedRate * 100 > s.abandonedAlertPercent) alerts.push({ key: 'live.alert.abandoned', params: { value: Math.round(last60.abandonedRate * 100), limit: s.abandonedAlertPercent } });
  if (waiting >= s.queueAlert) alerts.push({ key: 'live.alert.queue', params: { count: waiting } });
  const overdue = callbacks.filter((c) => c.overdue).length;
  if (overdue) alerts.push({ key: 'live.alert.callbacksOverdue', params: { count: overdue } });
  const untaken = complex.filter((c) => !c.takenAt).length;
  if (untaken) alerts.push({ key: 'live.alert.complex', params: { count: untaken } });

  const snapshot: BoardSnapshot = {
    at: i.now.toISOString(),
    aggregatesOnly: i.aggregatesOnly,
    inProgress: i.open.length,
    waiting,
    talking: i.open.length - waiting,
    last15,
    last60,
    operatorCounts,
    operators,
    callbacks,
    callbacksWaiting: callbacks.length,
    cards,
    cardsIncomplete: cards.length,
    complex,
    complexOpen: untaken,
    requests,
    requestsOpen: requests.length,
    followupsOpen: i.followupsOpen,
    lastEventAt: i.lastEventAt,
    stale,
    alerts,
    targets: { within10: s.serviceLevelTarget, within20: SERVICE_LEVEL_20S_TARGET },
  };
  if (!i.aggregatesOnly) return snapshot;
  // Leadership: the figures only — no operator, call id or caller on the page.
  return { ...snapshot, operators: [], callbacks: [], cards: [], complex: [], requests: [] };
}

function stateRank(state: string): number {
  return ['busy', 'ready', 'logged_in', 'break'].indexOf(state);
}
