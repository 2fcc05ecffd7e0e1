// The sign-in rate limit's ledger: each attempt is reserved here before its password is checked, so
// parallel attempts cannot all pass the limit (the audit log keeps the evidence; this table is only
// the counter and is pruned).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sign_in_attempts', (t) => {
    t.bigIncrements('id').primary();
    t.string('subject', 200).notNullable(); // the user name tried, lower case
    t.string('ip', 64).notNullable();
    t.string('at', 30).notNullable();
    t.string('outcome', 16).notNullable(); // pending | failed | ok
    t.index(['ip', 'at'], 'sign_in_attempts_ip_at_idx');
    t.index(['subject', 'ip', 'at'], 'sign_in_attempts_subject_idx');
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
