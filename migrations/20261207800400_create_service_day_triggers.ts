// Marks the Service page's summed days stale (service_stale_days) from the database itself, so no
// writer can leave a day's sums out of date: a call's facts or check results written or removed
// (the call's day), a call moved to another day, operator, region, category or language, marked
// deleted or made a callback (old and new day), and an operator changing team (every summed day:
// the team parts group by the operator's current team).
import type { Knex } from 'knex';

const CALL_COLUMNS = ['call_date', 'operator_id', 'region_id', 'category', 'language', 'callback_of_call_id', 'deleted_at'];

export async function up(knex: Knex): Promise<void> {
  if (knex.client.config.client === 'pg') {
    await knex.raw(`create function service_mark_stale(d text) returns void language sql as $$
      insert into service_stale_days (day, token) select d, floor(random() * 9e15)::bigint where d is not null
      on conflict (day) do update set token = excluded.token $$`);
    await knex.raw(`create function service_stale_by_call() returns trigger language plpgsql as $$ begin
      perform service_mark_stale((select call_date from calls where id = coalesce(new.call_id, old.call_id)));
      return null; end $$`);
    await knex.raw('create trigger service_stale_call_facts after insert or update or delete on call_facts for each row execute function service_stale_by_call()');
    await knex.raw('create trigger service_stale_call_check_results after insert or update or delete on call_check_results for each row execute function service_stale_by_call()');
    await knex.raw(`create function service_stale_calls() returns trigger language plpgsql as $$ begin
      if tg_op <> 'INSERT' then perform service_mark_stale(old.call_date); end if;
      if tg_op = 'UPDATE' then perform service_mark_stale(new.call_date); end if;
      return null; end $$`);
    const changed = CALL_COLUMNS.map((c) => `old.${c} is distinct from new.${c}`).join(' or ');
    await knex.raw(`create trigger service_stale_calls_update after update of ${CALL_COLUMNS.join(', ')} on calls for each row when (${changed}) execute function service_stale_calls()`);
    await knex.raw('create trigger service_stale_calls_delete after delete on calls for each row execute function service_stale_calls()');
    await knex.raw(`create function service_stale_operator_team() returns trigger language plpgsql as $$ begin
      perform service_mark_stale(d.day) from (select distinct day from service_day_sums) d;
      return null; end $$`);
    await knex.raw(`create trigger service_stale_operator_team after update of team_id on operators for each row when (old.team_id is distinct from new.team_id) execute function service_stale_operator_team()`);
    return;
  }
  const mark = (dayExpr: string) => `insert into service_stale_days (day, token) select ${dayExpr}, random() >> 11 where ${dayExpr} is not null on conflict (day) do update set token = excluded.token;`;
  const dayOf = (row: 'new' | 'old') => `(select call_date from calls where id = ${row}.call_id)`;
  for (const table of ['call_facts', 'call_check_results']) {
    await knex.raw(`create trigger service_stale_${table}_insert after insert on ${table} begin ${mark(dayOf('new'))} end`);
    await knex.raw(`create trigger service_stale_${table}_update after update on ${table} begin ${mark(dayOf('new'))} end`);
    await knex.raw(`create trigger service_stale_${table}_delete after delete on ${table} begin ${mark(dayOf('old'))} end`);
  }
  const changed = CALL_COLUMNS.map((c) => `old.${c} is not new.${c}`).join(' or ');
  await knex.raw(`create trigger service_stale_calls_update after update of ${CALL_COLUMNS.join(', ')} on calls when ${changed} begin ${mark('old.call_date')} ${mark('new.call_date')} end`);
  await knex.raw(`create trigger service_stale_calls_delete after delete on calls begin ${mark('old.call_date')} end`);
  await knex.raw(`create trigger service_stale_operator_team after update of team_id on operators when old.team_id is not new.team_id begin
    insert into service_stale_days (day, token) select distinct day, random() >> 11 from service_day_sums where true
    on conflict (day) do update set token = excluded.token; end`);
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
