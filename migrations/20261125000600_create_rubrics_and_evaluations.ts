// Rubrics with frozen versions, evaluations with their answers and marks on the audio.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('rubrics', (t) => {
    t.increments('id').primary();
    t.string('name', 200).notNullable();
    t.text('description');
    t.string('call_category', 64); // applies to calls of this category; null = not category-bound
    t.boolean('is_default').notNullable().defaultTo(false);
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
  });
  await knex.schema.createTable('rubric_versions', (t) => {
    t.increments('id').primary();
    t.integer('rubric_id').notNullable().references('id').inTable('rubrics').withKeyName('rubric_versions_rubric_fk');
    t.integer('version_no').notNullable();
    t.string('status', 16).notNullable(); // draft | published | retired
    t.text('definition').notNullable(); // JSON: sections → criteria; frozen once published
    t.integer('created_by').references('id').inTable('users').withKeyName('rubric_versions_created_by_fk');
    t.string('published_at', 30);
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.unique(['rubric_id', 'version_no'], { indexName: 'rubric_versions_rubric_no_unique' });
  });
  await knex.schema.createTable('evaluations', (t) => {
    t.increments('id').primary();
    t.integer('call_id').notNullable().references('id').inTable('calls').withKeyName('evaluations_call_fk');
    t.integer('operator_id').references('id').inTable('operators').withKeyName('evaluations_operator_fk'); // copied from the call
    t.integer('rubric_version_id').notNullable().references('id').inTable('rubric_versions').withKeyName('evaluations_rubric_version_fk');
    t.integer('specialist_user_id').notNullable().references('id').inTable('users').withKeyName('evaluations_specialist_fk');
    t.string('kind', 16).notNullable().defaultTo('regular'); // regular | calibration
    t.integer('calibration_session_id');
    t.string('status', 16).notNullable().defaultTo('draft'); // draft | submitted | reopened
    t.integer('revision').notNullable().defaultTo(0); // optimistic concurrency: each save must name the revision it read
    t.float('score'); // 0..100
    t.float('points_earned');
    t.float('points_possible');
    t.string('result', 16); // high | compliant | partial | low | critical_fail
    t.boolean('critical_failure').notNullable().defaultTo(false);
    t.float('heard_share'); // share of the audio actually played, 0..1
    t.float('heard_seconds');
    t.boolean('is_complex_case').notNullable().defaultTo(false);
    t.text('complex_reason');
    t.text('summary_comment');
    t.string('started_at', 30).notNullable();
    t.string('submitted_at', 30);
    t.string('evaluation_date', 10); // Asia/Tashkent day of submitted_at
    t.string('reopened_at', 30);
    t.integer('reopened_by').references('id').inTable('users').withKeyName('evaluations_reopened_by_fk');
    t.text('reopen_reason');
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['call_id'], 'evaluations_call_idx');
    t.index(['specialist_user_id', 'status'], 'evaluations_specialist_status_idx');
    t.index(['operator_id', 'submitted_at'], 'evaluations_operator_submitted_idx');
    t.index(['status', 'kind', 'evaluation_date'], 'evaluations_status_kind_date_idx');
  });
  await knex.schema.createTable('evaluation_answers', (t) => {
    t.increments('id').primary();
    t.integer('evaluation_id').notNullable().references('id').inTable('evaluations').withKeyName('evaluation_answers_evaluation_fk');
    t.string('criterion_code', 32).notNullable();
    t.integer('value'); // yes/no: 1/0; scale: 0..N; null with is_na or unanswered
    t.boolean('is_na').notNullable().defaultTo(false);
    t.text('comment');
    t.float('points_earned');
    t.float('points_possible');
    t.boolean('failed').notNullable().defaultTo(false);
    t.unique(['evaluation_id', 'criterion_code'], { indexName: 'evaluation_answers_eval_criterion_unique' });
    t.index(['criterion_code'], 'evaluation_answers_criterion_idx');
  });
  await knex.schema.createTable('evaluation_marks', (t) => {
    t.increments('id').primary();
    t.integer('evaluation_id').notNullable().references('id').inTable('evaluations').withKeyName('evaluation_marks_evaluation_fk');
    t.string('client_key', 64); // the browser's id for the mark, so autosave updates instead of duplicating
    t.float('start_sec').notNullable();
    t.float('end_sec').notNullable();
    t.text('note');
    t.string('criterion_code', 32);
    t.string('severity', 16); // minor | major | critical
    t.boolean('is_error').notNullable().defaultTo(false);
    t.string('created_at', 30).notNullable();
    t.index(['evaluation_id'], 'evaluation_marks_evaluation_idx');
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
