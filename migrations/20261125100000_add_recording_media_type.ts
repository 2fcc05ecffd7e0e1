// What a stored original is, so /calls/:id/audio can answer with the right Content-Type before
// (or without) any preparation: the probe's MIME type and whether the file carries video
// (sign-language calls arrive as video).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('recordings', (t) => {
    t.string('mime_type', 64);
    t.boolean('has_video').notNullable().defaultTo(false);
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
