// The live board reads calls still in progress (ended_at null) and calls that ended recently:
// a partial index holds only the few open calls, another finds the recently ended ones.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('calls', (t) => {
    t.index(['started_at'], 'calls_open_started_idx', { predicate: knex.whereNull('ended_at') });
    t.index(['ended_at'], 'calls_ended_at_idx');
    t.index(['callback_of_call_id'], 'calls_callback_of_idx');
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
