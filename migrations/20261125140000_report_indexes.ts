// Indexes for the reports: the dashboard and the exports group a period's evaluations, answers,
// errors, assignments and calls, and these let both databases answer from the index alone
// (measured with `npm run bench:report`: 100,000 evaluations × 20 criteria over 90 days).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('evaluations', (t) => {
    // Every column the dashboard groups or sums, after the filter columns: an index-only scan.
    t.index(
      ['status', 'kind', 'evaluation_date', 'operator_id', 'specialist_user_id', 'rubric_version_id', 'score', 'critical_failure', 'heard_share', 'started_at', 'submitted_at', 'call_id'],
      'evaluations_report_idx',
    );
  });
  // Only failed and N/A answers: about a tenth of the answers table, all the criteria chart reads.
  // The same SQL on SQLite and PostgreSQL (booleans are 0/1 integers in SQLite, truthy either way).
  await knex.raw('create index evaluation_answers_flagged_idx on evaluation_answers (evaluation_id, criterion_code, failed, is_na) where failed or is_na');
  await knex.schema.alterTable('errors', (t) => {
    t.index(['error_date', 'voided_at', 'category', 'operator_id', 'severity', 'call_id'], 'errors_report_idx');
  });
  await knex.schema.alterTable('calls', (t) => {
    t.index(['call_date', 'deleted_at', 'region_id', 'operator_id', 'category', 'language'], 'calls_report_idx');
  });
  await knex.schema.alterTable('assignments', (t) => {
    t.index(['plan_id', 'status', 'specialist_user_id', 'operator_id', 'call_id'], 'assignments_report_idx');
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
