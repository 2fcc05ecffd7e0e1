// Operator states (logged in, ready, busy, break, logged out) as the platform reports them: one row
// per change, ordered by the change's own time (not arrival), from which the live board shows each
// operator's state and the working-time report measures logged-in, ready, busy and break time.
// Kept by employee code as well as id, so a state of a code not yet known is not lost.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('operator_states', (t) => {
    t.increments('id').primary();
    t.bigInteger('event_seq').notNullable().unique('operator_states_event_unique'); // call_events.id
    t.string('operator_code', 32).notNullable();
    t.integer('operator_id'); // null while the code is unknown
    t.string('state', 16).notNullable(); // logged_in | ready | busy | break | logged_out
    t.string('started_at', 30).notNullable();
    t.index(['operator_code', 'started_at'], 'operator_states_code_idx');
    t.index(['operator_id', 'started_at'], 'operator_states_operator_idx');
    t.index(['started_at'], 'operator_states_started_idx');
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
