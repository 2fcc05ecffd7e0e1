// Call events pushed by the telephony platform and the CRM (src/features/events/). Every accepted
// event is kept once, by the platform's event id; `id` is the stored sequence the live board
// streams from (SSE `id:`), so it must grow in commit order: ingest serialises its writes (an
// advisory lock on PostgreSQL, one writer on SQLite). High volume (≈480,000 a day nationally):
// rows are only inserted and marked, the board reads a small window by id.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('call_events', (t) => {
    t.bigIncrements('id').primary();
    t.string('event_id', 100).notNullable().unique('call_events_event_id_unique');
    t.string('type', 24).notNullable();
    t.string('occurred_at', 30).notNullable(); // the event's time, corrected for the platform's clock offset
    t.string('platform_at', 30).notNullable(); // the time as the platform sent it
    t.string('received_at', 30).notNullable();
    t.string('source', 32).notNullable();
    t.string('call_ref', 100); // the platform's call id (calls.external_id)
    t.integer('call_id'); // resolved call; null while held or for operator states
    t.string('operator_code', 32);
    t.string('status', 10).notNullable(); // applied | held
    t.string('problem', 32); // operator_unknown | call_unknown | callback_target_unknown | region_unknown
    t.text('payload').notNullable(); // JSON: the event as received
    t.string('content_hash', 64).notNullable(); // sha256 of the canonical event: a repeat must match it
    t.integer('api_token_id');
    t.index(['call_id', 'occurred_at'], 'call_events_call_idx');
    t.index(['source', 'call_ref'], 'call_events_call_ref_idx');
    t.index(['received_at'], 'call_events_received_idx');
    t.index(['status', 'received_at'], 'call_events_status_idx');
    t.index(['problem', 'received_at'], 'call_events_problem_idx');
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
