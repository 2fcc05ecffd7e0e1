// The dashboard's per-day sums (JSON rows per Tashkent day: the whole service, and each team), and
// the days whose sums are stale. Triggers on every table the sums read mark the day a written row
// belongs to (old and new day on an update), so no write path of the application, the CLI or a
// hand-run SQL statement can leave a summary out of date; the reports feature recomputes a marked
// day when it is next read. An operator moving to another team marks every summed day (the team
// parts group by the operator's current team). A mark carries a random token: the recomputation
// clears the mark only if the token is still the one it saw, so a write committed meanwhile keeps
// its day marked.
import type { Knex } from 'knex';

/** table → how a row of it names its day(s), as SQL over NEW/OLD (the same text on both databases). */
const DAY_OF: { table: string; day: (row: 'NEW' | 'OLD') => string }[] = [
  { table: 'evaluations', day: (r) => `${r}.evaluation_date` },
  { table: 'errors', day: (r) => `${r}.error_date` },
  { table: 'calls', day: (r) => `${r}.call_date` },
  { table: 'plans', day: (r) => `${r}.plan_date` },
  { table: 'assignments', day: (r) => `(select plan_date from plans where id = ${r}.plan_id)` },
  { table: 'evaluation_answers', day: (r) => `(select evaluation_date from evaluations where id = ${r}.evaluation_id)` },
];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('report_day_summaries', (t) => {
    t.string('day', 10).notNullable(); // Asia/Tashkent calendar day
    t.string('part', 24).notNullable(); // 'all', 'team:<id>' or 'team:none'
    t.text('sums').notNullable(); // JSON: DaySums in src/features/reports/period-sums.ts
    t.string('computed_at', 30).notNullable();
    t.primary(['day', 'part']);
  });
  await knex.schema.createTable('report_stale_days', (t) => {
    t.string('day', 10).primary();
    t.bigInteger('token').notNullable();
  });

  if (knex.client.config.client === 'pg') {
    await knex.raw(`create function report_mark_stale(d text) returns void language sql as $$
      insert into report_stale_days (day, token) select d, floor(random() * 9e15)::bigint where d is not null
      on conflict (day) do update set token = excluded.token $$`);
    for (const { table, day } of DAY_OF) {
      await knex.raw(`create function report_stale_${table}() returns trigger language plpgsql as $$ begin
        if tg_op <> 'INSERT' then perform report_mark_stale(${day('OLD')}); end if;
        if tg_op <> 'DELETE' then perform report_mark_stale(${day('NEW')}); end if;
        return null; end $$`);
      await knex.raw(`create trigger report_stale_${table} after insert or update or delete on ${table} for each row execute function report_stale_${table}()`);
    }
    // A call's region moving changes the region figures of the days its evaluations were submitted on.
    await knex.raw(`create function report_stale_call_region() returns trigger language plpgsql as $$ begin
      perform report_mark_stale(v.evaluation_date) from evaluations v where v.call_id = new.id;
      return null; end $$`);
    await knex.raw(`create trigger report_stale_call_region after update of region_id on calls for each row when (old.region_id is distinct from new.region_id) execute function report_stale_call_region()`);
    await knex.raw(`create function report_stale_operator_team() returns trigger language plpgsql as $$ begin
      perform report_mark_stale(d.day) from (select distinct day from report_day_summaries) d;
      return null; end $$`);
    await knex.raw(`create trigger report_stale_operator_team after update of team_id on operators for each row when (old.team_id is distinct from new.team_id) execute function report_stale_operator_team()`);
    return;
  }

  const mark = (dayExpr: string) => `insert into report_stale_days (day, token) select ${dayExpr}, random() >> 11 where ${dayExpr} is not null on conflict (day) do update set token = excluded.token;`;
  for (const { table, day } of DAY_OF) {
    await knex.raw(`create trigger report_stale_${table}_insert after insert on ${table} begin ${mark(day('NEW'))} end`);
    await knex.raw(`create trigger report_stale_${table}_update after update on ${table} begin ${mark(day('OLD'))} ${mark(day('NEW'))} end`);
    await knex.raw(`create trigger report_stale_${table}_delete after delete on ${table} begin ${mark(day('OLD'))} end`);
  }
  await knex.raw(`create trigger report_stale_call_region after update of region_id on calls when old.region_id is not new.region_id begin
    insert into report_stale_days (day, token) select v.evaluation_date, random() >> 11 from evaluations v where v.call_id = new.id and v.evaluation_date is not null
    on conflict (day) do update set token = excluded.token; end`);
  await knex.raw(`create trigger report_stale_operator_team after update of team_id on operators when old.team_id is not new.team_id begin
    insert into report_stale_days (day, token) select distinct day, random() >> 11 from report_day_summaries where true
    on conflict (day) do update set token = excluded.token; end`);
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
