// Indexes for the call list at a million calls (src/features/calls/calls.repository.ts):
// - calls_duration_started_idx on (coalesce(duration_sec, 0), started_at): "longest / shortest
//   first" walks it in order instead of sorting every call of the period; started_at in the index
//   lets the period be checked without reading the row. An expression index, written per dialect
//   because PostgreSQL wants the expression in its own parentheses.
// - calls_evaluated_started_idx: the few evaluated calls of a period, without scanning the others
//   (a partial index: only rows with evaluated_at set).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  const pg = knex.client.config.client === 'pg';
  await knex.raw(
    pg
      ? 'create index calls_duration_started_idx on calls ((coalesce(duration_sec, 0)), started_at)'
      : 'create index calls_duration_started_idx on calls (coalesce(duration_sec, 0), started_at)',
  );
  await knex.schema.alterTable('calls', (t) => {
    t.index(['started_at'], 'calls_evaluated_started_idx', { predicate: knex.whereNotNull('evaluated_at') });
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
