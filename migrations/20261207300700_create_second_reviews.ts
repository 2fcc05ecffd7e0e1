// Blind second reviews: a supervisor asks for a random share of each specialist's evaluations to
// be scored again by another specialist who does not see the first one; the two are compared per
// specialist (the agreement module's alpha). The request keeps its seed, so anyone can re-derive
// which evaluations were picked. The second review is an evaluation of kind 'second_review'
// (purpose calibration): it judges the evaluator, so it never counts for the operator.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('second_review_requests', (t) => {
    t.increments('id').primary();
    t.integer('requested_by').notNullable().references('id').inTable('users').withKeyName('second_review_requests_by_fk');
    t.float('share').notNullable(); // 0..1 of each specialist's evaluations
    t.string('period_from', 10).notNullable();
    t.string('period_to', 10).notNullable();
    t.string('seed', 64).notNullable();
    t.integer('picked').notNullable();
    t.integer('unassigned').notNullable(); // picked but nobody else could review them
    t.string('created_at', 30).notNullable();
  });
  await knex.schema.createTable('second_reviews', (t) => {
    t.increments('id').primary();
    t.integer('request_id').notNullable().references('id').inTable('second_review_requests').withKeyName('second_reviews_request_fk');
    t.integer('original_evaluation_id').notNullable().references('id').inTable('evaluations').withKeyName('second_reviews_original_fk');
    t.integer('specialist_user_id').notNullable().references('id').inTable('users').withKeyName('second_reviews_specialist_fk'); // the original's author
    t.integer('reviewer_user_id').notNullable().references('id').inTable('users').withKeyName('second_reviews_reviewer_fk');
    t.integer('evaluation_id').references('id').inTable('evaluations').withKeyName('second_reviews_evaluation_fk'); // the review, once started
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.unique(['original_evaluation_id'], { indexName: 'second_reviews_original_unique' });
    t.index(['reviewer_user_id'], 'second_reviews_reviewer_idx');
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
