// The dashboard's region, category and language filters come from stored sums too, and its
// category list from a stored list instead of `select distinct category from calls`:
// - report_call_categories: every incident category calls have been filed under, kept by triggers
//   on calls (insert, and update of the category); the stored day parts name a category by its id
//   here ('cat:<id>'), since a category may be longer than a part's name allows;
// - a call whose region, category or language changes marks stale the days its evaluations were
//   submitted on and the plan days of its assignments (the call's own day is marked by the calls
//   trigger of migration 20261126000100);
// - the stored day sums are dropped: they are summed again, now with the region ('region:<id>'),
//   category ('cat:<id>') and language ('lang:<code>') parts, when next read.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('report_call_categories', (t) => {
    t.increments('id').primary();
    t.string('category', 64).notNullable().unique('report_call_categories_category_unique');
  });
  const rows = await knex('calls').distinct('category').whereNotNull('category').orderBy('category');
  for (let i = 0; i < rows.length; i += 200) {
    await knex('report_call_categories').insert(rows.slice(i, i + 200).map((r: { category: string }) => ({ category: r.category }))).onConflict('category').ignore();
  }

  if (knex.client.config.client === 'pg') {
    await knex.raw(`create function report_call_category() returns trigger language plpgsql as $$ begin
      if new.category is not null then insert into report_call_categories (category) values (new.category) on conflict (category) do nothing; end if;
      return null; end $$`);
    await knex.raw('create trigger report_call_category_insert after insert on calls for each row execute function report_call_category()');
    await knex.raw('create trigger report_call_category_update after update of category on calls for each row when (old.category is distinct from new.category) execute function report_call_category()');
    await knex.raw(`create function report_stale_call_dims() returns trigger language plpgsql as $$ begin
      perform report_mark_stale(v.evaluation_date) from evaluations v where v.call_id = new.id;
      perform report_mark_stale(p.plan_date) from assignments a join plans p on p.id = a.plan_id where a.call_id = new.id;
      return null; end $$`);
    await knex.raw(`create trigger report_stale_call_dims after update of region_id, category, language on calls for each row
      when (old.region_id is distinct from new.region_id or old.category is distinct from new.category or old.language is distinct from new.language)
      execute function report_stale_call_dims()`);
  } else {
    await knex.raw(`create trigger report_call_category_insert after insert on calls when new.category is not null begin
      insert into report_call_categories (category) values (new.category) on conflict (category) do nothing; end`);
    await knex.raw(`create trigger report_call_category_update after update of category on calls when new.category is not null and old.category is not new.category begin
      insert into report_call_categories (category) values (new.category) on conflict (category) do nothing; end`);
    await knex.raw(`create trigger report_stale_call_dims after update of region_id, category, language on calls
      when old.region_id is not new.region_id or old.category is not new.category or old.language is not new.language begin
      insert into report_stale_days (day, token) select v.evaluation_date, random() >> 11 from evaluations v where v.call_id = new.id and v.evaluation_date is not null
        on conflict (day) do update set token = excluded.token;
      insert into report_stale_days (day, token) select p.plan_date, random() >> 11 from assignments a join plans p on p.id = a.plan_id where a.call_id = new.id
        on conflict (day) do update set token = excluded.token;
      end`);
  }
  await knex('report_day_summaries').del();
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
