// Indexes for the error inbox, analysis and digests at national scale: a supervisor's operators
// over a period, and complex cases still waiting for a resolution.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('errors', (t) => {
    t.index(['operator_id', 'error_date'], 'errors_operator_date_idx');
  });
  await knex.schema.alterTable('evaluations', (t) => {
    t.index(['is_complex_case', 'complex_resolved_at'], 'evaluations_complex_idx');
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
