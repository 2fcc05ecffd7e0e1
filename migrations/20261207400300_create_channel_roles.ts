// Which side of a stereo recording is the operator, per call source (the `source` of calls).
// Source '*' is the default for sources without a row; without any row the operator is left
// (channel 0), as recordings have always been read.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('channel_roles', (t) => {
    t.string('source', 32).primary('channel_roles_pkey');
    t.integer('operator_channel').notNullable(); // 0 = left, 1 = right
    t.integer('updated_by').references('id').inTable('users').withKeyName('channel_roles_updated_by_fk');
    t.string('updated_at', 30).notNullable();
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
