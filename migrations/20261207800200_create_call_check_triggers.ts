// Keeps the stale list of check results (call_checks_stale) current from the database itself:
// whenever a call's facts row is written or removed, its checks are computed again by the
// `checks.compute` job. Every writer of facts is covered, whoever it is. A mark carries a random
// token, cleared only if unchanged, as for the facts themselves.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  if (knex.client.config.client === 'pg') {
    await knex.raw(`create function call_checks_mark() returns trigger language plpgsql as $$ begin
      insert into call_checks_stale (call_id, token) values (coalesce(new.call_id, old.call_id), floor(random() * 9e15)::bigint)
      on conflict (call_id) do update set token = excluded.token;
      return null; end $$`);
    await knex.raw('create trigger call_checks_stale_facts after insert or update or delete on call_facts for each row execute function call_checks_mark()');
    return;
  }
  const mark = (row: 'new' | 'old') => `insert into call_checks_stale (call_id, token) values (${row}.call_id, random() >> 11) on conflict (call_id) do update set token = excluded.token;`;
  await knex.raw(`create trigger call_checks_stale_facts_insert after insert on call_facts begin ${mark('new')} end`);
  await knex.raw(`create trigger call_checks_stale_facts_update after update on call_facts begin ${mark('new')} end`);
  await knex.raw(`create trigger call_checks_stale_facts_delete after delete on call_facts begin ${mark('old')} end`);
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
