// Automatic check results of every call (src/features/checks): one row per call and check key
// (the check and its thresholds, e.g. "answerAndGreeting:10,3"), derived from the call's facts and
// removed with the call. The stale list is kept by triggers on call_facts (next migration); the
// backfill cursors let a newly bound check (a new key) be computed for every stored call in
// batches, resumably, without marking millions of rows at once.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('call_check_results', (t) => {
    t.integer('call_id').notNullable().references('id').inTable('calls').withKeyName('call_check_results_call_fk').onDelete('CASCADE');
    t.string('check_key', 80).notNullable();
    t.string('outcome', 8).notNullable(); // pass | fail | na | unknown
    t.string('recheck_at', 30); // an unknown that time alone may decide (a callback window still open)
    t.string('computed_at', 30).notNullable();
    t.primary(['call_id', 'check_key'], 'call_check_results_pkey');
    t.index(['recheck_at'], 'call_check_results_recheck_idx');
  });
  await knex.schema.createTable('call_checks_stale', (t) => {
    t.integer('call_id').primary('call_checks_stale_pkey');
    t.bigInteger('token').notNullable();
  });
  await knex.schema.createTable('check_backfills', (t) => {
    t.string('check_key', 80).primary('check_backfills_pkey');
    t.integer('last_call_id').notNullable().defaultTo(0); // every call up to this id has a result for the key
    t.boolean('done').notNullable().defaultTo(false);
    t.string('updated_at', 30).notNullable();
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
