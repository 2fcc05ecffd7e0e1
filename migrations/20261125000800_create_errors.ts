// Error records: every failed criterion and every mark flagged as an error, followed up by supervisors.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('errors', (t) => {
    t.increments('id').primary();
    t.integer('evaluation_id').notNullable().references('id').inTable('evaluations').withKeyName('errors_evaluation_fk');
    t.integer('call_id').notNullable().references('id').inTable('calls').withKeyName('errors_call_fk');
    t.integer('operator_id').references('id').inTable('operators').withKeyName('errors_operator_fk');
    t.string('source', 16).notNullable(); // criterion | mark
    t.string('criterion_code', 32);
    t.integer('mark_id').references('id').inTable('evaluation_marks').withKeyName('errors_mark_fk');
    t.string('category', 64); // error category of the criterion
    t.string('severity', 16).notNullable(); // minor | major | critical
    t.text('comment');
    t.float('at_sec'); // moment in the audio, when a mark is linked
    t.string('status', 24).notNullable().defaultTo('new'); // new | acknowledged | action_recorded | closed
    t.string('action_type', 24); // conversation | training | written_warning | other
    t.text('action_note');
    t.string('action_due', 10);
    t.integer('acknowledged_by').references('id').inTable('users').withKeyName('errors_acknowledged_by_fk');
    t.string('acknowledged_at', 30);
    t.integer('action_by').references('id').inTable('users').withKeyName('errors_action_by_fk');
    t.string('action_at', 30);
    t.integer('closed_by').references('id').inTable('users').withKeyName('errors_closed_by_fk');
    t.string('closed_at', 30);
    t.string('voided_at', 30); // the evaluation was reopened and this error no longer holds: marked, not deleted
    t.string('error_date', 10).notNullable(); // Asia/Tashkent day the evaluation was submitted
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['operator_id', 'status'], 'errors_operator_status_idx');
    t.index(['evaluation_id'], 'errors_evaluation_idx');
    t.index(['error_date'], 'errors_date_idx');
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
