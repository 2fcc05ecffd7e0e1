// One fault, one error. A mark linked to a failed criterion used to become an error of its own
// beside the criterion's: one fault counted twice. Each such double is merged into the criterion's
// error, keeping all evidence: the criterion's error takes the mark's moment and link (when it had
// none), both comments, and whichever follow-up went further (acknowledged, action recorded,
// closed, with who and when); the mark's error is voided — never deleted — and says which error it
// was merged into (errors.merged_into_id).
import type { Knex } from 'knex';

const STATUS_ORDER: Record<string, number> = { new: 0, acknowledged: 1, action_recorded: 2, closed: 3 };
const FOLLOW_UP = ['status', 'action_type', 'action_note', 'action_due', 'acknowledged_by', 'acknowledged_at', 'action_by', 'action_at', 'closed_by', 'closed_at'] as const;

type Row = Record<string, unknown> & { id: number; evaluation_id: number; criterion_code: string | null; status: string; comment: string | null; at_sec: number | null; mark_id: number | null };

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('errors', (t) => {
    t.integer('merged_into_id'); // the error this one was merged into (one fault, one error)
  });
  const doubles: Row[] = await knex('errors as m')
    .where('m.source', 'mark')
    .whereNull('m.voided_at')
    .whereNotNull('m.criterion_code')
    .whereExists(knex('errors as c').whereRaw('c.evaluation_id = m.evaluation_id').whereRaw('c.criterion_code = m.criterion_code').where('c.source', 'criterion').whereNull('c.voided_at'))
    .select('m.*')
    .orderBy('m.evaluation_id')
    .orderBy('m.at_sec')
    .orderBy('m.id');
  if (!doubles.length) return;
  const now = new Date().toISOString();
  await knex.transaction(async (trx) => {
    for (const mark of doubles) {
      const kept: Row | undefined = await trx('errors')
        .where({ evaluation_id: mark.evaluation_id, criterion_code: mark.criterion_code, source: 'criterion' })
        .whereNull('voided_at')
        .orderBy('id')
        .first();
      if (!kept) continue;
      const patch: Record<string, unknown> = { updated_at: now };
      if (kept.at_sec == null && mark.at_sec != null) {
        patch.at_sec = mark.at_sec;
        patch.mark_id = mark.mark_id;
      } else if (kept.mark_id == null && mark.mark_id != null) patch.mark_id = mark.mark_id;
      const notes = [kept.comment, mark.comment].map((c) => (c ?? '').trim()).filter(Boolean);
      if (notes.length) patch.comment = [...new Set(notes)].join('\n');
      if ((STATUS_ORDER[mark.status] ?? 0) > (STATUS_ORDER[kept.status] ?? 0)) for (const c of FOLLOW_UP) patch[c] = mark[c] ?? null;
      await trx('errors').where('id', kept.id).update(patch);
      await trx('errors').where('id', mark.id).update({ voided_at: now, merged_into_id: kept.id, updated_at: now });
    }
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
