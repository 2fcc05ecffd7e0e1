// How a supervisor resolved a complex case a specialist flagged (D1.01.4).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('evaluations', (t) => {
    t.text('complex_resolution');
    t.integer('complex_resolved_by').references('id').inTable('users').withKeyName('evaluations_complex_resolved_by_fk');
    t.string('complex_resolved_at', 30);
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
