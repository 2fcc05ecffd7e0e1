// E-mails that must go out once (digests, the weekly report): a row per message key, recorded
// before the message is handed to SMTP and marked sent after, so a job run again after a crash or a
// lease takeover does not mail it twice.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('mail_outbox', (t) => {
    t.bigIncrements('id').primary();
    t.string('outbox_key', 200).notNullable(); // e.g. digest:42, weekly:2026-11-23:7
    t.string('status', 16).notNullable(); // sending | sent | failed
    t.string('holder', 120); // the job run (fencing token) that claimed it
    t.string('message_id', 250).notNullable(); // the same Message-ID on every attempt: receivers drop a repeat
    t.integer('attempts').notNullable().defaultTo(0);
    t.string('claimed_at', 30);
    t.string('sent_at', 30);
    t.text('last_error');
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.unique(['outbox_key'], { indexName: 'mail_outbox_key_unique' });
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
