// Operators' own view: an operator acknowledges each of their evaluations, and may dispute a
// failed criterion within a window; the supervisor accepts (the evaluation is re-scored) or rejects.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('evaluations', (t) => {
    t.string('acknowledged_at', 30); // when the evaluated operator acknowledged it in the portal
  });
  await knex.schema.createTable('evaluation_disputes', (t) => {
    t.increments('id').primary();
    t.integer('evaluation_id').notNullable().references('id').inTable('evaluations').withKeyName('evaluation_disputes_evaluation_fk');
    t.integer('operator_id').notNullable().references('id').inTable('operators').withKeyName('evaluation_disputes_operator_fk');
    t.string('criterion_code', 32).notNullable();
    t.text('comment').notNullable();
    t.string('status', 16).notNullable().defaultTo('open'); // open | accepted | rejected
    t.integer('raised_by').notNullable().references('id').inTable('users').withKeyName('evaluation_disputes_raised_by_fk');
    t.string('raised_at', 30).notNullable();
    t.integer('decided_by').references('id').inTable('users').withKeyName('evaluation_disputes_decided_by_fk');
    t.string('decided_at', 30);
    t.text('decision_note');
    t.float('score_before');
    t.float('score_after');
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    // One dispute per criterion of an evaluation: a decision is final.
    t.unique(['evaluation_id', 'criterion_code'], { indexName: 'evaluation_disputes_eval_criterion_unique' });
    t.index(['status', 'raised_at'], 'evaluation_disputes_status_idx');
    t.index(['operator_id'], 'evaluation_disputes_operator_idx');
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
