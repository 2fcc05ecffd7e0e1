// The audit log becomes a hash chain (src/audit/chain.ts): each row keeps the previous row's hash
// and its own. Columns only (no table rebuild on SQLite); the next migration hashes existing rows.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('audit_log', (t) => {
    t.string('prev_hash', 64);
    t.string('hash', 64);
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
