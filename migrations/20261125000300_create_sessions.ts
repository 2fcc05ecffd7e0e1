// Sessions live in the database so several app instances share them (connect-session-knex's shape).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  const pg = knex.client.config.client === 'pg';
  await knex.schema.createTable('sessions', (t) => {
    t.string('sid', 255).primary();
    if (pg) t.json('sess').notNullable();
    else t.text('sess').notNullable();
    if (pg) t.timestamp('expired').notNullable().index('sessions_expired_idx');
    else t.dateTime('expired').notNullable().index('sessions_expired_idx');
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
