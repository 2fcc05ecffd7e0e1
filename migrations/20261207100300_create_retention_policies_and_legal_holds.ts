// Retention: how long recordings are kept, per class of call (set by an administrator), and legal
// holds that keep a call's recording until released with a reason.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('retention_policies', (t) => {
    t.string('call_class', 32).primary(); // not_evaluated | evaluated | flagged | training
    t.integer('days'); // null = kept for ever
    t.integer('updated_by').references('id').inTable('users').withKeyName('retention_policies_updated_by_fk');
    t.string('updated_at', 30).notNullable();
  });
  await knex.schema.createTable('legal_holds', (t) => {
    t.increments('id').primary();
    t.integer('call_id').notNullable().references('id').inTable('calls').withKeyName('legal_holds_call_fk');
    t.text('reason').notNullable();
    t.integer('placed_by').references('id').inTable('users').withKeyName('legal_holds_placed_by_fk');
    t.string('placed_at', 30).notNullable();
    t.integer('released_by').references('id').inTable('users').withKeyName('legal_holds_released_by_fk');
    t.string('released_at', 30);
    t.text('release_reason');
    t.index(['call_id', 'released_at'], 'legal_holds_call_idx');
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
