// Working time from operator states (B3.01.4): how long each operator was signed in, ready, busy
// and on break in each 12-hour shift, calls answered per signed-in hour, occupancy (busy ÷
// (ready + busy)) and, where a shift plan says when they were due, adherence (signed-in time inside
// the planned window ÷ the planned time: late sign-ins, early sign-outs and absences lower it; a
// plan carries no breaks, so break time is shown beside it rather than counted against it).
// Pure: states, plans and calls in, figures out.
import { tashkentDate, tashkentToUtc } from '../../time';

export interface StateChange {
  operatorId: number;
  state: string;
  at: string;
}

export interface PlannedShift {
  operatorId: number;
  startsAt: string;
  endsAt: string;
}

export type ShiftKind = 'day' | 'night';

export interface ShiftSlot {
  /** instant the 12-hour shift starts, ms */
  start: number;
  /** Tashkent day the shift starts */
  date: string;
  shift: ShiftKind;
}

export interface ShiftFigures {
  operatorId: number;
  /** Tashkent day the shift starts, and day | night */
  shiftDate: string;
  shift: ShiftKind;
  signedInSec: number;
  readySec: number;
  busySec: number;
  breakSec: number;
}

export interface ShiftRow extends ShiftFigures {
  calls: number;
  /** planned time inside the period (0: no plan for this shift) */
  plannedSec: number;
  /** signed in inside the planned windows */
  workingInPlanSec: number;
  /** the planned window(s) of this shift, for display */
  plans: { startsAt: string; endsAt: string }[];
}

export interface Totals {
  signedInSec: number;
  readySec: number;
  busySec: number;
  breakSec: number;
  calls: number;
  plannedSec: number;
  workingInPlanSec: number;
}

const SIGNED_IN = new Set(['logged_in', 'ready', 'busy', 'break']);
const SHIFT_MS = 12 * 3600000;
/**
 * No state counts longer than this: a "logged out" the platform never sent must not make an
 * operator signed in for days.
 */
export const MAX_STATE_MS = 13 * 3600000;

interface Interval {
  state: string;
  start: number;
  end: number;
}

/**
 * Each operator's states as intervals clipped to [from, to): a state lasts until the operator's
 * next change (by its own time, whatever order the changes are listed in), the last one until
 * `to`, and none longer than MAX_STATE_MS.
 */
export function stateIntervals(changes: readonly StateChange[], from: string, to: string): Map<number, Interval[]> {
  const byOp = new Map<number, StateChange[]>();
  for (const c of changes) {
    const list = byOp.get(c.operatorId);
    if (list) list.push(c);
    else byOp.set(c.operatorId, [c]);
  }
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  const out = new Map<number, Interval[]>();
  for (const [operatorId, list] of byOp) {
    const sorted = [...list].sort((a, b) => a.at.localeCompare(b.at));
    const intervals: Interval[] = [];
    sorted.forEach((st, i) => {
      const at = Date.parse(st.at);
      const next = Math.min(i + 1 < sorted.length ? Date.parse(sorted[i + 1]!.at) : toMs, at + MAX_STATE_MS);
      const start = Math.max(fromMs, at);
      const end = Math.min(toMs, next);
      if (end > start) intervals.push({ state: st.state, start, end });
    });
    out.set(operatorId, intervals);
  }
  return out;
}

/** A stretch of signed-in time without a gap, and the shift it counts for. */
interface Session {
  start: number;
  end: number;
  slot: ShiftSlot;
}

/** Sessions this long (a missed sign-out between two shifts) are cut at shift boundaries instead. */
const MAX_SESSION_MS = 16 * 3600000;

/**
 * Per operator and shift, the signed-in, ready, busy and break time. A session — signed in from
 * one sign-in to the sign-out — counts whole for the shift its middle falls in: coming 10 minutes
 * early or staying half an hour over is part of that shift, not a sliver of the neighbouring one.
 */
export function shiftFigures(changes: readonly StateChange[], from: string, to: string, shiftOf: (ms: number) => ShiftSlot): ShiftFigures[] {
  return sortRows([...figuresAndSessions(stateIntervals(changes, from, to), shiftOf).figures.values()]);
}

function figuresAndSessions(all: Map<number, Interval[]>, shiftOf: (ms: number) => ShiftSlot): { figures: Map<string, ShiftFigures>; sessions: Map<number, Session[]> } {
  const figures = new Map<string, ShiftFigures>();
  const sessions = new Map<number, Session[]>();
  const add = (operatorId: number, slot: ShiftSlot, state: string, ms: number) => {
    const key = rowKey(operatorId, slot.date, slot.shift);
    const f = figures.get(key) ?? { operatorId, shiftDate: slot.date, shift: slot.shift, signedInSec: 0, readySec: 0, busySec: 0, breakSec: 0 };
    const sec = ms / 1000;
    f.signedInSec += sec;
    if (state === 'ready') f.readySec += sec;
    if (state === 'busy') f.busySec += sec;
    if (state === 'break') f.breakSec += sec;
    figures.set(key, f);
  };
  for (const [operatorId, intervals] of all) {
    const own: Session[] = [];
    let run: Interval[] = [];
    const close = () => {
      if (!run.length) return;
      const start = run[0]!.start;
      const end = run[run.length - 1]!.end;
      if (end - start <= MAX_SESSION_MS) {
        const slot = shiftOf(start + (end - start) / 2);
        for (const iv of run) add(operatorId, slot, iv.state, iv.end - iv.start);
        own.push({ start, end, slot });
      } else
        for (const iv of run)
          for (let t = iv.start; t < iv.end; ) {
            const slot = shiftOf(t);
            const stop = Math.min(iv.end, slot.start + SHIFT_MS);
            add(operatorId, slot, iv.state, stop - t);
            own.push({ start: t, end: stop, slot });
            t = stop;
          }
      run = [];
    };
    for (const iv of intervals) {
      const signedIn = SIGNED_IN.has(iv.state);
      if (!signedIn || (run.length && run[run.length - 1]!.end !== iv.start)) close();
      if (signedIn) run.push(iv);
    }
    close();
    sessions.set(operatorId, own);
  }
  return { figures, sessions };
}

/**
 * Per operator and shift: the state figures, the calls they answered (in the shift of the session
 * they were answered in), and — where a plan covers the shift — planned time and the signed-in
 * time inside it. A planned shift the operator never signed in for is a row too (adherence
 * 0). Plans and states are clipped to [from, to), so a shift still running is measured up to `to`
 * (pass "now").
 */
export function workingTime(input: {
  changes: readonly StateChange[];
  plans: readonly PlannedShift[];
  answered: readonly { operatorId: number; at: string }[];
  from: string;
  to: string;
  shiftOf: (ms: number) => ShiftSlot;
}): ShiftRow[] {
  const { from, to, shiftOf } = input;
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  const intervals = stateIntervals(input.changes, from, to);
  const { figures, sessions } = figuresAndSessions(intervals, shiftOf);
  const rows = new Map<string, ShiftRow>();
  for (const [key, f] of figures) rows.set(key, { ...f, calls: 0, plannedSec: 0, workingInPlanSec: 0, plans: [] });
  for (const p of input.plans) {
    const startMs = Date.parse(p.startsAt);
    const endMs = Date.parse(p.endsAt);
    const start = Math.max(fromMs, startMs);
    const end = Math.min(toMs, endMs);
    // A planned shift that has not begun within the period is not measured yet.
    if (end <= start) continue;
    const s = shiftOf(startMs + (endMs - startMs) / 2);
    const key = rowKey(p.operatorId, s.date, s.shift);
    const row = rows.get(key) ?? { operatorId: p.operatorId, shiftDate: s.date, shift: s.shift, signedInSec: 0, readySec: 0, busySec: 0, breakSec: 0, calls: 0, plannedSec: 0, workingInPlanSec: 0, plans: [] };
    row.plannedSec += (end - start) / 1000;
    row.plans.push({ startsAt: p.startsAt, endsAt: p.endsAt });
    for (const iv of intervals.get(p.operatorId) ?? []) {
      if (!SIGNED_IN.has(iv.state)) continue;
      const overlap = Math.min(end, iv.end) - Math.max(start, iv.start);
      if (overlap > 0) row.workingInPlanSec += overlap / 1000;
    }
    rows.set(key, row);
  }
  for (const c of input.answered) {
    const at = Date.parse(c.at);
    const s = sessions.get(c.operatorId)?.find((x) => x.start <= at && at < x.end)?.slot ?? shiftOf(at);
    const row = rows.get(rowKey(c.operatorId, s.date, s.shift));
    if (row) row.calls++;
  }
  return sortRows([...rows.values()]);
}

function rowKey(operatorId: number, date: string, shift: ShiftKind): string {
  return `${operatorId}|${date}|${shift}`;
}

function sortRows<T extends ShiftFigures>(rows: T[]): T[] {
  return rows.sort((a, b) => a.shiftDate.localeCompare(b.shiftDate) || a.shift.localeCompare(b.shift) || a.operatorId - b.operatorId);
}

/** Sums rows (an operator's shifts over a period, or everyone's). */
export function totals(rows: readonly (ShiftFigures & Partial<Pick<ShiftRow, 'calls' | 'plannedSec' | 'workingInPlanSec'>>)[]): Totals {
  const t: Totals = { signedInSec: 0, readySec: 0, busySec: 0, breakSec: 0, calls: 0, plannedSec: 0, workingInPlanSec: 0 };
  for (const r of rows) {
    t.signedInSec += r.signedInSec;
    t.readySec += r.readySec;
    t.busySec += r.busySec;
    t.breakSec += r.breakSec;
    t.calls += r.calls ?? 0;
    t.plannedSec += r.plannedSec ?? 0;
    t.workingInPlanSec += r.workingInPlanSec ?? 0;
  }
  return t;
}

/** busy ÷ (ready + busy); null when the operator was never available. */
export function occupancy(f: Pick<ShiftFigures, 'readySec' | 'busySec'>): number | null {
  const available = f.readySec + f.busySec;
  return available > 0 ? f.busySec / available : null;
}

/** Calls answered per signed-in hour. */
export function callsPerHour(calls: number, signedInSec: number): number | null {
  return signedInSec > 0 ? calls / (signedInSec / 3600) : null;
}

/** Signed-in time inside the plan ÷ planned time; null without a plan. */
export function adherence(f: Pick<ShiftRow, 'plannedSec' | 'workingInPlanSec'>): number | null {
  return f.plannedSec > 0 ? Math.min(1, f.workingInPlanSec / f.plannedSec) : null;
}

/**
 * Which 12-hour shift an instant falls in: the day shift of Tashkent day D starts at `dayStart`
 * ("HH:MM") on D, the night shift 12 hours later and runs into D + 1.
 */
export function shiftLocator(dayStart: string): (ms: number) => ShiftSlot {
  const [h, m] = dayStart.split(':').map(Number);
  const dayStartMs = (h! * 60 + m!) * 60000;
  const starts = new Map<string, number>();
  return (ms) => {
    // Moving the instant back by the day shift's start makes the shift day a calendar day.
    const date = tashkentDate(ms - dayStartMs);
    let start = starts.get(date);
    if (start === undefined) starts.set(date, (start = tashkentToUtc(date, dayStart).getTime()));
    const isDay = ms < start + SHIFT_MS;
    return { start: isDay ? start : start + SHIFT_MS, date, shift: isDay ? 'day' : 'night' };
  };
}
