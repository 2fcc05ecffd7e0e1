// Demo shift plans: the demo centre's rotation (demo-floor.ts) as planned 12-hour shifts, from the
// start of the demo history to a week ahead, so adherence has something to measure against — the
// floor's late sign-ins, early leaves and absences show in it.
import type { SeedContext } from '../../app-context';
import { addDays, tashkentDate, tashkentToUtc } from '../../time';
import { demoOnDuty, demoOperatorCodes } from '../events/demo-floor';
import { demoHistoryStart } from '../events/events.seed';
import { saveShifts, type NewShift } from './worktime.repository';

export async function seedWorktime(ctx: SeedContext): Promise<void> {
  const { db, config } = ctx;
  const codes = await demoOperatorCodes(db);
  const ids = new Map((await db('operators').whereIn('employee_code', codes).select('id', 'employee_code')).map((r) => [r.employee_code as string, Number(r.id)]));
  const creator = await db('users').where('role', 'specialist').orderBy('id').first('id');
  const now = ctx.clock();
  const historyStart = demoHistoryStart(now, config.shiftDayStart);
  const firstDate = tashkentDate(historyStart);
  const lastDate = addDays(tashkentDate(now), 7);
  const shifts: NewShift[] = [];
  for (let date = firstDate; date <= lastDate; date = addDays(date, 1)) {
    const dayStart = tashkentToUtc(date, config.shiftDayStart).getTime();
    codes.forEach((code, index) => {
      for (const [shift, start] of [['day', dayStart], ['night', dayStart + 12 * 3600000]] as const) {
        if (start < historyStart || !demoOnDuty(index, date, shift)) continue;
        shifts.push({ operatorId: ids.get(code)!, shiftDate: date, startsAt: new Date(start).toISOString(), endsAt: new Date(start + 12 * 3600000).toISOString() });
      }
    });
  }
  if (!shifts.length || !creator) return;
  await db.transaction((trx) => saveShifts(trx, shifts, Number(creator.id), now.toISOString()));
  ctx.log(`worktime: ${shifts.length} planned shifts from ${firstDate} to ${lastDate}`);
}
