// The persistent job queue (media preparation, plan draws, digests).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('jobs', (t) => {
    t.bigIncrements('id').primary();
    t.string('type', 64).notNullable();
    t.string('dedupe_key', 200); // one live job per key, e.g. prepare:recording:42
    t.text('payload').notNullable(); // JSON
    t.string('status', 16).notNullable(); // queued | running | done | failed
    t.integer('attempts').notNullable().defaultTo(0);
    t.integer('max_attempts').notNullable().defaultTo(5);
    t.string('run_after', 30).notNullable();
    t.string('locked_by', 100);
    t.string('locked_at', 30);
    t.text('last_error');
    t.text('result'); // JSON
    t.integer('progress'); // 0..100 for long work
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['status', 'run_after'], 'jobs_status_run_after_idx');
    t.unique(['dedupe_key'], { indexName: 'jobs_dedupe_key_unique' });
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
