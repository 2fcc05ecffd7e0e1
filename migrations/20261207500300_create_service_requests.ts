// Emergency services dispatched for a call and what they reported back (arrived, fulfilled, not
// fulfilled with a reason): one row per call and service, settled from the events by their times.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('service_requests', (t) => {
    t.increments('id').primary();
    t.integer('call_id').notNullable().references('id').inTable('calls').withKeyName('service_requests_call_fk');
    t.string('service', 8).notNullable(); // 101 | 102 | 103 | 104 | 1146 | other
    t.string('dispatched_at', 30);
    t.string('arrived_at', 30);
    t.string('outcome', 16); // null (none yet) | fulfilled | not_fulfilled
    t.string('outcome_at', 30);
    t.string('reason', 500); // why not fulfilled, as the service said
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.unique(['call_id', 'service'], { indexName: 'service_requests_call_service_unique' });
    t.index(['dispatched_at'], 'service_requests_dispatched_idx');
    t.index(['outcome', 'dispatched_at'], 'service_requests_outcome_idx');
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
