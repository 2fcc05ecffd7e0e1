// Evidence of who did what: never updated or deleted by the application.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id').primary();
    t.string('at', 30).notNullable();
    t.integer('user_id').references('id').inTable('users').withKeyName('audit_log_user_fk');
    t.string('action', 64).notNullable(); // e.g. auth.signIn, auth.signInFailed, user.update, recording.play
    t.string('entity_type', 32);
    t.string('entity_id', 64);
    t.string('subject', 200); // e.g. the user name tried at a failed sign-in
    t.string('ip', 64);
    t.text('details'); // JSON
    t.index(['at'], 'audit_log_at_idx');
    t.index(['action', 'at'], 'audit_log_action_at_idx');
    t.index(['entity_type', 'entity_id'], 'audit_log_entity_idx');
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
