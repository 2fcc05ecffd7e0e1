// Demo history for the live floor, follow-ups and working time: the demo centre's last day and a
// half (from the start of the shift 36 hours ago to an hour ago), replayed quickly through the
// ingest; dispatches, outcomes and card drafts only in its last 12 hours, which the board and the
// follow-up worklist look at. The app's demo floor carries on from where it stops (demo-floor.ts).
import type { SeedContext } from '../../app-context';
import { shiftLocator } from '../worktime/worktime';
import { DemoFloor, demoOperatorCodes, feed } from './demo-floor';

export const DEMO_HISTORY_HOURS = 36;

/** Where the demo history starts: the start of the shift that was running DEMO_HISTORY_HOURS ago. */
export function demoHistoryStart(now: Date, dayStart: string): number {
  return shiftLocator(dayStart)(now.getTime() - DEMO_HISTORY_HOURS * 3600000).start;
}

export async function seedEvents(ctx: SeedContext): Promise<void> {
  const ops = await demoOperatorCodes(ctx.db);
  if (!ops.length) return;
  const now = ctx.clock();
  const from = demoHistoryStart(now, ctx.config.shiftDayStart);
  const to = now.getTime() - 3600000;
  const floor = new DemoFloor(ops, 112_013, { dayStart: ctx.config.shiftDayStart, lightBefore: to - 12 * 3600000, run: 'H' });
  const started = Date.now();
  let events = 0;
  // A few hours at a time, so memory stays small.
  for (let t = from; t < to; t += 4 * 3600000) {
    floor.plan(t, Math.min(to, t + 4 * 3600000));
    const due = floor.due(Math.min(to, t + 4 * 3600000));
    await feed(ctx, due);
    events += due.length;
  }
  // What the last calls still had coming (their end, card, score) is sent too: no call stays open.
  const rest = floor.due(Number.POSITIVE_INFINITY);
  await feed(ctx, rest);
  events += rest.length;
  events += await seedProblems(ctx, to);
  ctx.log(`events: ${events} call events of the demo floor's last ${Math.round((to - from) / 3600000)} hours in ${Date.now() - started} ms`);
}

/**
 * What a real platform also sends, for /admin/events to show: a trainee's states under an employee
 * code nobody has added to Sifat yet, and two events whose calls never arrived (sent, as the
 * platform would have, two hours ago).
 */
async function seedProblems(ctx: SeedContext, to: number): Promise<number> {
  const at = (minutesBefore: number) => new Date(to - minutesBefore * 60000).toISOString();
  const events = [
    ...(['logged_in', 'ready', 'break', 'ready', 'logged_out'] as const).map((state, i) => ({ id: `demo-problem-state-${i}`, type: 'operator.state', at: at(180 - i * 35), operatorCode: 'OP-131', state })),
    { id: 'demo-problem-card', type: 'card.updated', at: at(125), callId: '112-LOST-0001', xml: '<CallCard><CardNumber>K-9001</CardNumber><Incident><Type>fire</Type></Incident></CallCard>' },
    { id: 'demo-problem-score', type: 'satisfaction.scored', at: at(118), callId: '112-LOST-0002', score: 2 },
  ];
  await feed({ ...ctx, clock: () => new Date(to - 115 * 60000) }, events);
  return events.length;
}
