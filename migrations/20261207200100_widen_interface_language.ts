// Room for the fourth interface language, Uzbek in Cyrillic ('uz-Cyrl'), in the columns that hold a
// user's interface language (users.language, and digests.language: the recipient's). They were
// varchar(2). PostgreSQL enforces the length, so the columns are widened there; SQLite does not
// (and altering a column would rebuild the table, dropping the reporting triggers), so it is left as is.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  if (knex.client.config.client !== 'pg') return;
  await knex.raw('alter table users alter column language type varchar(8)');
  await knex.raw('alter table digests alter column language type varchar(8)');
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
