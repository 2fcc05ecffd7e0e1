// Calibration sessions (B1, D2.01.4): several specialists score the same calls blind, so their
// judgement can be compared. The evaluations themselves are rows in `evaluations` with
// kind = 'calibration' and calibration_session_id set; these tables say which calls and who.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('calibration_sessions', (t) => {
    t.increments('id').primary();
    t.string('title', 200).notNullable();
    t.text('notes');
    t.integer('created_by').notNullable().references('id').inTable('users').withKeyName('calibration_sessions_created_by_fk');
    t.string('deadline', 10).notNullable(); // Asia/Tashkent day by which answers are due
    t.integer('expert_user_id').references('id').inTable('users').withKeyName('calibration_sessions_expert_fk'); // reference answers; null = none
    t.string('status', 16).notNullable().defaultTo('open'); // open | closed
    t.string('closed_at', 30);
    t.integer('closed_by').references('id').inTable('users').withKeyName('calibration_sessions_closed_by_fk');
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['status', 'deadline'], 'calibration_sessions_status_deadline_idx');
  });
  await knex.schema.createTable('calibration_calls', (t) => {
    t.increments('id').primary();
    t.integer('session_id').notNullable().references('id').inTable('calibration_sessions').withKeyName('calibration_calls_session_fk');
    t.integer('call_id').notNullable().references('id').inTable('calls').withKeyName('calibration_calls_call_fk');
    t.integer('position').notNullable().defaultTo(0);
    t.unique(['session_id', 'call_id'], { indexName: 'calibration_calls_session_call_unique' });
  });
  await knex.schema.createTable('calibration_participants', (t) => {
    t.increments('id').primary();
    t.integer('session_id').notNullable().references('id').inTable('calibration_sessions').withKeyName('calibration_participants_session_fk');
    t.integer('user_id').notNullable().references('id').inTable('users').withKeyName('calibration_participants_user_fk');
    t.boolean('is_expert').notNullable().defaultTo(false); // the expert scores too; their answers are the reference
    t.unique(['session_id', 'user_id'], { indexName: 'calibration_participants_session_user_unique' });
    t.index(['user_id'], 'calibration_participants_user_idx');
  });
  // The session's evaluations are looked up by session (no FK: on SQLite knex would rebuild the
  // whole evaluations table to add one).
  await knex.schema.alterTable('evaluations', (t) => {
    t.index(['calibration_session_id'], 'evaluations_calibration_session_idx');
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
