// Who receives the weekly report e-mail (leadership, admins). Nobody by default: a user opts in.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('report_subscriptions', (t) => {
    t.increments('id').primary();
    t.integer('user_id').notNullable().references('id').inTable('users').withKeyName('report_subscriptions_user_fk');
    t.boolean('is_active').notNullable().defaultTo(true);
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.unique(['user_id'], { indexName: 'report_subscriptions_user_unique' });
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
