// The append-only log of recording files deleted under retention: who or which policy, the file's
// hash, which files. The database itself refuses to change or remove a row (triggers on both).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('retention_deletions', (t) => {
    t.bigIncrements('id').primary();
    t.string('at', 30).notNullable();
    t.integer('recording_id').notNullable().references('id').inTable('recordings').withKeyName('retention_deletions_recording_fk');
    t.string('sha256', 64).notNullable();
    t.bigInteger('size_bytes');
    t.text('files').notNullable(); // JSON: which files went (original, rendition, peaks)
    t.text('call_ids').notNullable(); // JSON: the calls that used the recording
    t.string('call_class', 32); // the policy that decided (null when an administrator deleted by hand)
    t.integer('policy_days');
    t.integer('deleted_by').references('id').inTable('users').withKeyName('retention_deletions_deleted_by_fk'); // null = the daily purge
    t.index(['recording_id'], 'retention_deletions_recording_idx');
    t.index(['at'], 'retention_deletions_at_idx');
  });
  if (knex.client.config.client === 'pg') {
    await knex.raw(`create function retention_deletions_append_only() returns trigger language plpgsql as $$ begin
      raise exception 'retention_deletions is append-only'; end $$`);
    await knex.raw('create trigger retention_deletions_no_update before update or delete on retention_deletions for each row execute function retention_deletions_append_only()');
  } else {
    await knex.raw("create trigger retention_deletions_no_update before update on retention_deletions begin select raise(abort, 'retention_deletions is append-only'); end");
    await knex.raw("create trigger retention_deletions_no_delete before delete on retention_deletions begin select raise(abort, 'retention_deletions is append-only'); end");
  }
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
