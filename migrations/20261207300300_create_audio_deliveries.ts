// What the server actually sent of a call's recording to each user: one row per audio response
// (its byte range, the size of the file served and the recording's duration), so the share of a
// call an evaluation claims to have heard can be checked against the audio that was fetched.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('audio_deliveries', (t) => {
    t.increments('id').primary();
    t.integer('user_id').notNullable().references('id').inTable('users').withKeyName('audio_deliveries_user_fk');
    t.integer('call_id').notNullable().references('id').inTable('calls').withKeyName('audio_deliveries_call_fk');
    t.integer('recording_id').notNullable().references('id').inTable('recordings').withKeyName('audio_deliveries_recording_fk');
    t.boolean('rendition').notNullable().defaultTo(false); // the browser rendition, or the original
    t.bigInteger('byte_start').notNullable(); // first byte sent
    t.bigInteger('byte_end').notNullable(); // one past the last byte sent
    t.bigInteger('size_bytes').notNullable(); // size of the file served
    t.float('duration_sec'); // the recording's duration when served
    t.string('served_at', 30).notNullable();
    t.index(['user_id', 'call_id'], 'audio_deliveries_user_call_idx');
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
