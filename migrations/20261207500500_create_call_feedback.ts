// What callers and operators flag about a call: the post-call survey's satisfaction score, and a
// complex or non-standard case the operator raised to the supervisor (D1.01.4).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('call_satisfaction', (t) => {
    t.increments('id').primary();
    t.integer('call_id').notNullable().references('id').inTable('calls').withKeyName('call_satisfaction_call_fk');
    t.integer('score').notNullable(); // 1..5
    t.string('scored_at', 30).notNullable();
    t.unique(['call_id'], { indexName: 'call_satisfaction_call_unique' });
    t.index(['scored_at'], 'call_satisfaction_scored_idx');
  });
  await knex.schema.createTable('complex_cases', (t) => {
    t.increments('id').primary();
    t.integer('call_id').notNullable().references('id').inTable('calls').withKeyName('complex_cases_call_fk');
    t.string('operator_code', 32);
    t.string('raised_at', 30).notNullable();
    t.string('note', 1000);
    t.string('taken_at', 30);
    t.integer('taken_by').references('id').inTable('users').withKeyName('complex_cases_taken_by_fk');
    t.unique(['call_id'], { indexName: 'complex_cases_call_unique' });
    t.index(['raised_at'], 'complex_cases_raised_idx');
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
