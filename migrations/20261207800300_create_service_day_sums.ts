// The Service KPI page's per-day sums (src/features/service): JSON per Tashkent day and part —
// the whole service ('all'), each team ('team:<id>'/'team:none'), each region, incident category
// and call language ('region:<id>', 'category:<name>', 'language:<code>', '…:none') — so a year
// of a national service (60,000 calls a day) is read as 365 stored rows, not 22 million calls.
// `spec` names the thresholds the sums were counted with; sums of other thresholds are summed
// again. The stale days are marked by triggers (next migration).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('service_day_sums', (t) => {
    t.string('day', 10).notNullable(); // Asia/Tashkent calendar day (calls.call_date)
    t.string('part', 80).notNullable();
    t.string('spec', 100).notNullable(); // format version and thresholds the counts were made with
    t.text('sums').notNullable(); // JSON: ServiceDaySums in src/features/service/day-sums.ts
    t.string('computed_at', 30).notNullable();
    t.bigInteger('revision').notNullable(); // random, new at every save: a reader's cache of parsed sums keys on it
    t.primary(['day', 'part'], 'service_day_sums_pkey');
  });
  await knex.schema.createTable('service_stale_days', (t) => {
    t.string('day', 10).primary('service_stale_days_pkey');
    t.bigInteger('token').notNullable();
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
