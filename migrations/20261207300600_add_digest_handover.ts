// A ma'lumotnoma a monitoring specialist prepares (B2.02.4 #2–3) is theirs to review until they
// hand it over; then it reaches the supervisor's digests (marked new until opened) and e-mail.
// handover_status: null for digests a supervisor, an administrator or a schedule made; 'draft'
// while the specialist reviews it; 'sent' once handed over.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('digests', (t) => {
    t.string('handover_status', 16);
    t.string('handed_over_at', 30);
    t.integer('handed_over_by');
    t.string('read_at', 30); // when the recipient supervisor first opened it
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
