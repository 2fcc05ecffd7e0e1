// A call card now arrives in versions (created, updated, closed) through the events API, or after
// its call through /api/v1/calls: the stored card is the newest version by the platform's time.
// Columns only (no table rebuild on SQLite, which would drop the reporting triggers).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('call_cards', (t) => {
    t.string('status', 8); // open | closed; null for a card that came with its call
    t.string('version_at', 30); // the platform's time of the stored version
    t.string('closed_at', 30);
    t.string('updated_at', 30);
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
