// The follow-up worklist of calls the services did not fulfil (B3.02.4 #2): an item per service
// request reported "not fulfilled", or without an outcome a configured time after dispatch; the
// contacts a specialist made with the service; and where it ended (closed, or handed to a supervisor).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('service_followups', (t) => {
    t.increments('id').primary();
    t.integer('service_request_id').notNullable().references('id').inTable('service_requests').withKeyName('service_followups_request_fk');
    t.integer('call_id').notNullable().references('id').inTable('calls').withKeyName('service_followups_call_fk');
    t.string('service', 8).notNullable();
    t.string('reason', 16).notNullable(); // not_fulfilled | no_outcome
    t.string('status', 16).notNullable(); // open | escalated | closed
    t.string('opened_at', 30).notNullable();
    t.string('due_at', 30).notNullable();
    t.integer('escalated_to').references('id').inTable('users').withKeyName('service_followups_escalated_to_fk');
    t.string('escalated_at', 30);
    t.string('closed_at', 30);
    t.integer('closed_by').references('id').inTable('users').withKeyName('service_followups_closed_by_fk');
    t.string('resolution', 24); // fulfilled | service_reported | supervisor_closed
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.unique(['service_request_id'], { indexName: 'service_followups_request_unique' });
    t.index(['status', 'due_at'], 'service_followups_status_idx');
    t.index(['opened_at'], 'service_followups_opened_idx');
  });
  await knex.schema.createTable('service_followup_contacts', (t) => {
    t.increments('id').primary();
    t.integer('followup_id').notNullable().references('id').inTable('service_followups').withKeyName('followup_contacts_followup_fk');
    t.integer('user_id').notNullable().references('id').inTable('users').withKeyName('followup_contacts_user_fk');
    t.string('contact_name', 200).notNullable(); // whom they spoke to at the service
    t.string('contacted_at', 30).notNullable();
    t.string('result', 16).notNullable(); // fulfilled | in_progress | not_fulfilled | no_answer
    t.string('note', 1000);
    t.string('created_at', 30).notNullable();
    t.index(['followup_id'], 'followup_contacts_followup_idx');
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
