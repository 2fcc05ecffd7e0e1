// When a recording's files were deleted under retention (the call and its evaluations stay).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('recordings', (t) => {
    t.string('purged_at', 30);
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
