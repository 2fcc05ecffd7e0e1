// Bulk imports of calls from a CSV/XLSX manifest (with or without recordings): who ran one, when,
// on which file, how it went, and every rejected row with its reason. calls.import_id remembers
// which import brought a call in, so an import's page can list the calls it accepted.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('imports', (t) => {
    t.increments('id').primary();
    t.string('file_name', 255).notNullable(); // the manifest's original name, for display only
    t.string('origin', 8).notNullable(); // web | cli
    t.string('status', 16).notNullable(); // queued | running | done | failed
    t.integer('created_by').references('id').inTable('users').withKeyName('imports_created_by_fk');
    t.string('actor', 200); // who started it as text: a user's name, or "cli:<os user>"
    t.string('default_source', 32).notNullable().defaultTo('telephony'); // calls.source when a row names none
    t.integer('recording_files').notNullable().defaultTo(0); // files uploaded with the manifest
    t.integer('total_rows').notNullable().defaultTo(0);
    t.integer('accepted_count').notNullable().defaultTo(0);
    t.integer('already_count').notNullable().defaultTo(0); // same call, same data: imported before
    t.integer('rejected_count').notNullable().defaultTo(0);
    t.integer('recordings_stored').notNullable().defaultTo(0);
    t.integer('progress').notNullable().defaultTo(0); // 0..100
    t.text('rejected_rows'); // JSON [{row, externalId, column, key, params}], capped
    t.boolean('rejected_truncated').notNullable().defaultTo(false);
    t.text('ignored_columns'); // JSON: manifest columns that are not part of the format
    t.string('error_key', 100); // why a whole import failed (an i18n key)
    t.text('error_params'); // JSON
    t.bigInteger('job_id');
    t.string('started_at', 30);
    t.string('finished_at', 30);
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['created_at'], 'imports_created_at_idx');
  });
  // No foreign-key constraint: on SQLite, knex would rebuild the whole calls table to add one.
  await knex.schema.alterTable('calls', (t) => {
    t.integer('import_id');
    // The import's page lists its calls newest first.
    t.index(['import_id', 'started_at'], 'calls_import_started_idx');
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
