// Demo worklist: the demo history's requests with no outcome past their service's limit become
// items (as the minute tick would have made them), and specialists have worked most of the older
// items — contacts recorded, some closed as fulfilled, some handed to a supervisor who closed a few —
// so the worklist shows open, overdue, escalated and closed items.
import type { SeedContext } from '../../app-context';
import { mulberry32, pick, weighted } from '../../random';
import { closeBySupervisor, localInput, recordContact } from './followups.service';
import { openNoOutcomeFollowups } from './followups.sync';

const CONTACTS = ['Navbatchi Karimov (103)', 'Dispetcher Aliyeva (103)', 'Navbatchi Yusupov (102)', 'Dispetcher Ergasheva (101)', 'Navbatchi Qodirov (104)', 'Ishonch telefoni navbatchisi (1146)'];
const NOTES = ["Brigada manzilni topdi, yordam ko'rsatildi.", "Ekipaj qayta yuborildi.", "Chaqiruvchi bilan qayta bog'lanildi.", "Xizmat javob bermadi, qayta qo'ng'iroq qilinadi."];

export async function seedFollowups(ctx: SeedContext): Promise<void> {
  const { db, config } = ctx;
  const now = ctx.clock();
  await openNoOutcomeFollowups(db, now, config.followups.noOutcomeMinutes, config.followups.dueMinutes);
  const specialists = (await db('users').where({ role: 'specialist', is_active: true }).select('id')).map((r) => ({ id: Number(r.id), role: 'specialist' as const }));
  if (!specialists.length) return;
  const rand = mulberry32(2026_1207);
  const items = await db('service_followups').where('opened_at', '<', new Date(now.getTime() - 90 * 60000).toISOString()).orderBy('opened_at').select('id', 'opened_at');
  let contacts = 0;
  for (const item of items) {
    if (rand() > 0.85) continue; // left for the worklist, overdue by now
    const at = Math.min(now.getTime() - 60000, Date.parse(item.opened_at as string) + (10 + rand() * 70) * 60000);
    const result = weighted(rand, [['fulfilled', 60], ['in_progress', 10], ['not_fulfilled', 25], ['no_answer', 5]] as const);
    const body = { contactName: pick(rand, CONTACTS), contactedAt: localInput(at), result, note: rand() < 0.6 ? pick(rand, NOTES) : '' };
    await recordContact({ db, clock: () => new Date(at) }, pick(rand, specialists), Number(item.id), body);
    contacts++;
    if (result === 'not_fulfilled' && rand() < 0.5) {
      const f = await db('service_followups').where({ id: item.id }).first('escalated_to');
      const closedAt = Math.min(now.getTime() - 30000, at + (30 + rand() * 90) * 60000);
      if (f?.escalated_to) await closeBySupervisor({ db, clock: () => new Date(closedAt) }, { id: Number(f.escalated_to), role: 'supervisor' }, Number(item.id), { note: 'Xizmat rahbari bilan gaplashildi, ekipaj qayta yuborildi.' });
    }
  }
  ctx.log(`followups: ${items.length} older items, ${contacts} contacts recorded`);
}
