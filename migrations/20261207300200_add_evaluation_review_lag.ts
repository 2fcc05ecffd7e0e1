// Review lag per evaluation: seconds from the end of the call to the evaluation's submission
// (APCO/NENA ANS 1.107.1 asks for reviews within 5 days of the call). Stored at submit so the
// dashboard can give its median and the share within target from sums; existing submitted
// evaluations get theirs here. The call's end is ended_at, else started_at plus its duration.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('evaluations', (t) => {
    t.float('review_lag_sec');
  });
  const rows: { id: number; submitted_at: string; started_at: string; ended_at: string | null; duration_sec: number | null }[] = await knex('evaluations as v')
    .join('calls as c', 'c.id', 'v.call_id')
    .whereNotNull('v.submitted_at')
    .select('v.id', 'v.submitted_at', 'c.started_at', 'c.ended_at', 'c.duration_sec');
  for (let i = 0; i < rows.length; i += 500) {
    await knex.transaction(async (trx) => {
      for (const r of rows.slice(i, i + 500)) {
        const end = r.ended_at ? Date.parse(r.ended_at) : Date.parse(r.started_at) + Number(r.duration_sec ?? 0) * 1000;
        const lag = (Date.parse(r.submitted_at) - end) / 1000;
        if (Number.isFinite(lag)) await trx('evaluations').where('id', r.id).update({ review_lag_sec: Math.max(0, Math.round(lag)) });
      }
    });
  }
  await knex('report_day_summaries').del();
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
