// Why a call was heard: every evaluation records its purpose — random (a plan's random draw),
// targeted (a targeted stratum of a plan), on_request (picked by hand: a complaint, an incident, a
// supervisor's request) or calibration (practice and second reviews that judge the evaluator, not
// the operator). Operator statistics use the random sample by default; the others are shown beside
// it. An assignment carries the purpose its evaluation will get.
//
// Existing rows: an assignment added by hand is on_request, a carried one keeps its source's
// purpose, a drawn one is random; a calibration evaluation is calibration; a regular evaluation is
// what its assignment was, and on_request when no assignment led to it (it was picked by hand).
// The stored dashboard sums mixed every purpose: they are dropped and summed again when next read.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('assignments', (t) => {
    t.string('purpose', 16).notNullable().defaultTo('random'); // random | targeted | on_request
  });
  await knex.schema.alterTable('evaluations', (t) => {
    t.string('purpose', 16).notNullable().defaultTo('random'); // random | targeted | on_request | calibration
  });

  await knex('assignments').where('origin', 'added').update({ purpose: 'on_request' });
  // Carried assignments take their source's purpose; a chain of carries is followed a step per pass.
  for (let pass = 0; pass < 60; pass++) {
    // Plain SQL (the same on both databases): a correlated update of a table from itself.
    const r = await knex.raw(`update assignments set purpose = (select s.purpose from assignments s where s.id = assignments.carried_from_id)
      where origin = 'carried' and exists (select 1 from assignments s where s.id = assignments.carried_from_id and s.purpose <> assignments.purpose)`);
    const changed = Number((r as { rowCount?: number; changes?: number }).rowCount ?? (r as { changes?: number }).changes ?? 0);
    if (!changed) break;
  }

  await knex('evaluations').where('kind', 'calibration').update({ purpose: 'calibration' });
  await knex('evaluations')
    .where('kind', 'regular')
    .whereNotExists(knex('assignments as a').whereRaw('a.evaluation_id = evaluations.id'))
    .update({ purpose: 'on_request' });
  await knex('evaluations')
    .where('kind', 'regular')
    .whereExists(knex('assignments as a').whereRaw('a.evaluation_id = evaluations.id').where('a.purpose', 'on_request'))
    .whereNotExists(knex('assignments as a').whereRaw('a.evaluation_id = evaluations.id').whereIn('a.purpose', ['random', 'targeted']))
    .update({ purpose: 'on_request' });

  await knex.schema.alterTable('evaluations', (t) => {
    t.index(['status', 'purpose', 'evaluation_date'], 'evaluations_status_purpose_date_idx');
  });
  await knex('report_day_summaries').del();
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
