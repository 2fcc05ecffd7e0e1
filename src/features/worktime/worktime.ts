// Working time from operator states (B3.01.4): how long each operator was signed in, ready, busy
// and on break in each 12-hour shift, calls answered per signed-in hour, and occupancy (busy ÷
// (ready + busy)). Pure: states in, figures out.

export interface StateChange {
  operatorId: number;
  state: string;
  at: string;
}

export interface ShiftFigures {
  operatorId: number;
  /** Tashkent day the shift starts, and day | night */
  shiftDate: string;
  shift: 'day' | 'night';
  signedInSec: number;
  readySec: number;
  busySec: number;
  breakSec: number;
}

const SIGNED_IN = new Set(['logged_in', 'ready', 'busy', 'break']);

/**
 * Cuts each operator's state intervals (a state lasts until the operator's next change, or until
 * `to`) at shift boundaries and sums them per shift. `dayStartMs(ms)` gives the shift containing an
 * instant: its start and kind. States before `from` count from `from`.
 */
export function shiftFigures(changes: readonly StateChange[], from: string, to: string, shiftOf: (ms: number) => { start: number; date: string; shift: 'day' | 'night' }): ShiftFigures[] {
  const byOp = new Map<number, StateChange[]>();
  for (const c of changes) byOp.set(c.operatorId, [...(byOp.get(c.operatorId) ?? []), c]);
  const out = new Map<string, ShiftFigures>();
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  for (const [operatorId, list] of byOp) {
    const sorted = [...list].sort((a, b) => a.at.localeCompare(b.at));
    for (let i = 0; i < sorted.length; i++) {
      const st = sorted[i]!;
      let start = Math.max(fromMs, Date.parse(st.at));
      const end = Math.min(toMs, i + 1 < sorted.length ? Date.parse(sorted[i + 1]!.at) : toMs);
      if (!SIGNED_IN.has(st.state)) continue;
      while (start < end) {
        const s = shiftOf(start);
        const shiftEnd = s.start + 12 * 3600000;
        const stop = Math.min(end, shiftEnd);
        const key = `${operatorId}|${s.date}|${s.shift}`;
        const f = out.get(key) ?? { operatorId, shiftDate: s.date, shift: s.shift, signedInSec: 0, readySec: 0, busySec: 0, breakSec: 0 };
        const sec = (stop - start) / 1000;
        f.signedInSec += sec;
        if (st.state === 'ready') f.readySec += sec;
        if (st.state === 'busy') f.busySec += sec;
        if (st.state === 'break') f.breakSec += sec;
        out.set(key, f);
        start = stop;
      }
    }
  }
  return [...out.values()].sort((a, b) => a.shiftDate.localeCompare(b.shiftDate) || a.shift.localeCompare(b.shift) || a.operatorId - b.operatorId);
}

/** busy ÷ (ready + busy); null when the operator was never available. Pure. */
export function occupancy(f: Pick<ShiftFigures, 'readySec' | 'busySec'>): number | null {
  const available = f.readySec + f.busySec;
  return available > 0 ? f.busySec / available : null;
}

/** Calls answered per signed-in hour. Pure. */
export function callsPerHour(calls: number, signedInSec: number): number | null {
  return signedInSec > 0 ? calls / (signedInSec / 3600) : null;
}

/** Which 12-hour shift an instant falls in, given the day shift's start in Tashkent minutes after midnight (UTC+5). */
export function shiftLocator(dayStartMinutes: number, offsetMinutes = 300): (ms: number) => { start: number; date: string; shift: 'day' | 'night' } {
  return (ms) => {
    const local = ms + offsetMinutes * 60000;
    const sinceDayStart = (((local - dayStartMinutes * 60000) % 86400000) + 86400000) % 86400000;
    const dayShiftStartLocal = local - sinceDayStart;
    const isDay = sinceDayStart < 12 * 3600000;
    const startLocal = isDay ? dayShiftStartLocal : dayShiftStartLocal + 12 * 3600000;
    return { start: startLocal - offsetMinutes * 60000, date: new Date(dayShiftStartLocal).toISOString().slice(0, 10), shift: isDay ? 'day' : 'night' };
  };
}
