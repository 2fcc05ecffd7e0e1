// The stretches of audio a specialist actually played, kept as their union so a draft reopened in
// another session keeps counting from where it was (heard_share is computed from them).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('evaluations', (t) => {
    t.text('played_intervals'); // JSON: [[startSec, endSec], …], sorted, non-overlapping
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
