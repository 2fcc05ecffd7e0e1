// Recordings (content-addressed files) and the calls they belong to.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('recordings', (t) => {
    t.increments('id').primary();
    t.string('sha256', 64).notNullable().unique('recordings_sha256_unique');
    t.string('storage_key', 200).notNullable(); // relative path under RECORDINGS_DIR, derived from sha256 only
    t.string('original_name', 255); // for display only, never used to build a path
    t.bigInteger('size_bytes').notNullable();
    t.string('format', 32); // ffprobe format name, e.g. wav, mp3, ogg
    t.string('codec', 32); // pcm_s16le, pcm_mulaw, pcm_alaw, gsm_ms, mp3, opus
    t.integer('sample_rate');
    t.integer('channels');
    t.float('duration_sec');
    t.string('status', 16).notNullable().defaultTo('stored'); // stored | preparing | ready | failed
    t.string('rendition_key', 200); // browser rendition, or null when the original plays as is
    t.string('peaks_key', 200);
    t.text('facts'); // JSON: talk time per channel, silences, overlap
    t.text('prepare_error');
    t.string('prepared_at', 30);
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
  });
  await knex.schema.createTable('calls', (t) => {
    t.increments('id').primary();
    t.string('source', 32).notNullable().defaultTo('telephony');
    t.string('external_id', 100).notNullable();
    t.string('started_at', 30).notNullable();
    t.string('answered_at', 30);
    t.string('ended_at', 30);
    t.string('call_date', 10).notNullable(); // Asia/Tashkent calendar day of started_at
    t.float('duration_sec');
    t.integer('operator_id').references('id').inTable('operators').withKeyName('calls_operator_fk');
    t.string('caller_number', 32);
    t.string('language', 8); // uz | kaa | ru | en | other | sign
    t.string('channel', 8).notNullable().defaultTo('voice'); // voice | video | sms | email
    t.string('category', 64); // incident category
    t.string('services', 64); // comma-separated: 101,102,103,104,1146,other
    t.integer('region_id').references('id').inTable('regions').withKeyName('calls_region_fk');
    t.boolean('dropped').notNullable().defaultTo(false);
    t.integer('callback_of_call_id').references('id').inTable('calls').withKeyName('calls_callback_of_fk');
    t.integer('recording_id').references('id').inTable('recordings').withKeyName('calls_recording_fk');
    t.text('extra'); // JSON
    t.string('evaluated_at', 30); // set when a regular evaluation of the call is submitted
    t.string('deleted_at', 30); // calls are marked, not deleted (plans refer to them)
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.unique(['source', 'external_id'], { indexName: 'calls_source_external_id_unique' });
    t.index(['started_at'], 'calls_started_at_idx');
    t.index(['call_date', 'operator_id'], 'calls_date_operator_idx');
    t.index(['operator_id', 'started_at'], 'calls_operator_started_idx');
    t.index(['region_id', 'started_at'], 'calls_region_started_idx');
    t.index(['category', 'started_at'], 'calls_category_started_idx');
    t.index(['language', 'started_at'], 'calls_language_started_idx');
    t.index(['recording_id'], 'calls_recording_idx');
  });
  await knex.schema.createTable('call_cards', (t) => {
    t.increments('id').primary();
    t.integer('call_id').notNullable().references('id').inTable('calls').withKeyName('call_cards_call_fk');
    t.text('xml').notNullable(); // the original document, kept as received
    t.text('fields'); // JSON: extracted fields
    t.float('completeness'); // 0..1 against the mandatory field list
    t.text('missing_fields'); // JSON array
    t.string('created_at', 30).notNullable();
    t.unique(['call_id'], { indexName: 'call_cards_call_unique' });
  });
  await knex.schema.createTable('api_tokens', (t) => {
    t.increments('id').primary();
    t.string('name', 100).notNullable();
    t.string('token_hash', 64).notNullable().unique('api_tokens_hash_unique'); // sha256 of the token
    t.string('token_prefix', 12).notNullable(); // shown to identify it
    t.integer('created_by').references('id').inTable('users').withKeyName('api_tokens_created_by_fk');
    t.string('created_at', 30).notNullable();
    t.string('last_used_at', 30);
    t.string('revoked_at', 30);
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
