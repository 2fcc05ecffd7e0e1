// Planned shifts imported from a CSV (operator, start, end), against which working time measures
// adherence. A re-import of the same operator and start replaces the end.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('shift_plans', (t) => {
    t.increments('id').primary();
    t.integer('operator_id').notNullable().references('id').inTable('operators').withKeyName('shift_plans_operator_fk');
    t.string('starts_at', 30).notNullable();
    t.string('ends_at', 30).notNullable();
    t.string('shift_date', 10).notNullable(); // Asia/Tashkent day the shift starts
    t.integer('created_by').references('id').inTable('users').withKeyName('shift_plans_created_by_fk');
    t.string('created_at', 30).notNullable();
    t.unique(['operator_id', 'starts_at'], { indexName: 'shift_plans_operator_start_unique' });
    t.index(['starts_at'], 'shift_plans_starts_idx');
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
