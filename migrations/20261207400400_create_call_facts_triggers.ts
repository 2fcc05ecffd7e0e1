// Keeps the stale list of call facts (call_facts_stale) current from the database itself, so every
// writer — the web, the API, imports, call events, the CLI, a hand-run SQL statement — leaves the
// facts of the calls it touched marked for the `facts.compute` job. What a call's facts read, and
// therefore what marks it:
//   calls            the call itself (old and new row), and the dropped call a callback belongs to
//   call_cards       the card's call
//   recordings       every call of the recording, when its analysis (facts, error, version) changes
//   evaluations      the call, when an evaluation is submitted, reopened, moved or removed
//   channel_roles    every call with a recording from the source (all of them for the '*' default)
// Every call already stored is marked once here, so existing data gets its facts too.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  if (knex.client.config.client === 'pg') {
    const token = 'floor(random() * 9e15)::bigint';
    const upsert = 'on conflict (call_id) do update set token = excluded.token';
    await knex.raw(`create function call_facts_mark(cid integer) returns void language sql as $$
      insert into call_facts_stale (call_id, token) select cid, ${token} where cid is not null ${upsert} $$`);
    await knex.raw(`create function call_facts_stale_calls() returns trigger language plpgsql as $$ begin
      if tg_op <> 'DELETE' then perform call_facts_mark(new.id); perform call_facts_mark(new.callback_of_call_id); end if;
      if tg_op <> 'INSERT' then perform call_facts_mark(old.id); perform call_facts_mark(old.callback_of_call_id); end if;
      return null; end $$`);
    await knex.raw('create trigger call_facts_stale_calls after insert or update or delete on calls for each row execute function call_facts_stale_calls()');
    await knex.raw(`create function call_facts_stale_call_cards() returns trigger language plpgsql as $$ begin
      if tg_op <> 'DELETE' then perform call_facts_mark(new.call_id); end if;
      if tg_op <> 'INSERT' then perform call_facts_mark(old.call_id); end if;
      return null; end $$`);
    await knex.raw('create trigger call_facts_stale_call_cards after insert or update or delete on call_cards for each row execute function call_facts_stale_call_cards()');
    await knex.raw(`create function call_facts_stale_recordings() returns trigger language plpgsql as $$ begin
      insert into call_facts_stale (call_id, token) select c.id, ${token} from calls c where c.recording_id = new.id ${upsert};
      return null; end $$`);
    await knex.raw(`create trigger call_facts_stale_recordings after update of facts, analysis_error, analysis_version on recordings for each row
      when (old.facts is distinct from new.facts or old.analysis_error is distinct from new.analysis_error or old.analysis_version is distinct from new.analysis_version)
      execute function call_facts_stale_recordings()`);
    await knex.raw(`create function call_facts_stale_evaluations() returns trigger language plpgsql as $$ begin
      if tg_op <> 'DELETE' and new.submitted_at is not null then perform call_facts_mark(new.call_id); end if;
      if tg_op <> 'INSERT' and (old.submitted_at is not null or tg_op = 'UPDATE' and (old.status is distinct from new.status or old.call_id is distinct from new.call_id or old.kind is distinct from new.kind)) then perform call_facts_mark(old.call_id); end if;
      return null; end $$`);
    await knex.raw('create trigger call_facts_stale_evaluations after insert or update of status, submitted_at, kind, call_id or delete on evaluations for each row execute function call_facts_stale_evaluations()');
    await knex.raw(`create function call_facts_stale_channel_roles() returns trigger language plpgsql as $$
      declare s text := coalesce(new.source, old.source); begin
      insert into call_facts_stale (call_id, token) select c.id, ${token} from calls c where c.recording_id is not null and (s = '*' or c.source = s) ${upsert};
      return null; end $$`);
    await knex.raw('create trigger call_facts_stale_channel_roles after insert or update or delete on channel_roles for each row execute function call_facts_stale_channel_roles()');
    await knex.raw(`insert into call_facts_stale (call_id, token) select id, ${token} from calls ${upsert}`);
    return;
  }

  const token = 'random() >> 11';
  const upsert = 'on conflict (call_id) do update set token = excluded.token;';
  const mark = (idExpr: string) => `insert into call_facts_stale (call_id, token) select ${idExpr}, ${token} where ${idExpr} is not null ${upsert}`;
  await knex.raw(`create trigger call_facts_stale_calls_insert after insert on calls begin ${mark('new.id')} ${mark('new.callback_of_call_id')} end`);
  await knex.raw(`create trigger call_facts_stale_calls_update after update on calls begin
    ${mark('new.id')} ${mark('new.callback_of_call_id')} ${mark('old.callback_of_call_id')} end`);
  await knex.raw(`create trigger call_facts_stale_calls_delete after delete on calls begin ${mark('old.id')} ${mark('old.callback_of_call_id')} end`);
  await knex.raw(`create trigger call_facts_stale_call_cards_insert after insert on call_cards begin ${mark('new.call_id')} end`);
  await knex.raw(`create trigger call_facts_stale_call_cards_update after update on call_cards begin ${mark('new.call_id')} ${mark('old.call_id')} end`);
  await knex.raw(`create trigger call_facts_stale_call_cards_delete after delete on call_cards begin ${mark('old.call_id')} end`);
  await knex.raw(`create trigger call_facts_stale_recordings after update of facts, analysis_error, analysis_version on recordings
    when old.facts is not new.facts or old.analysis_error is not new.analysis_error or old.analysis_version is not new.analysis_version begin
    insert into call_facts_stale (call_id, token) select c.id, ${token} from calls c where c.recording_id = new.id ${upsert} end`);
  await knex.raw(`create trigger call_facts_stale_evaluations_insert after insert on evaluations when new.submitted_at is not null begin ${mark('new.call_id')} end`);
  await knex.raw(`create trigger call_facts_stale_evaluations_update after update of status, submitted_at, kind, call_id on evaluations
    when old.status is not new.status or old.submitted_at is not new.submitted_at or old.kind is not new.kind or old.call_id is not new.call_id begin
    ${mark('new.call_id')} ${mark('old.call_id')} end`);
  await knex.raw(`create trigger call_facts_stale_evaluations_delete after delete on evaluations when old.submitted_at is not null begin ${mark('old.call_id')} end`);
  const bySource = (row: 'new' | 'old') =>
    `insert into call_facts_stale (call_id, token) select c.id, ${token} from calls c where c.recording_id is not null and (${row}.source = '*' or c.source = ${row}.source) ${upsert}`;
  await knex.raw(`create trigger call_facts_stale_channel_roles_insert after insert on channel_roles begin ${bySource('new')} end`);
  await knex.raw(`create trigger call_facts_stale_channel_roles_update after update on channel_roles begin ${bySource('new')} ${bySource('old')} end`);
  await knex.raw(`create trigger call_facts_stale_channel_roles_delete after delete on channel_roles begin ${bySource('old')} end`);
  await knex.raw(`insert into call_facts_stale (call_id, token) select id, ${token} from calls where true ${upsert}`);
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
