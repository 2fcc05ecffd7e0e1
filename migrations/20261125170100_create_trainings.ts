// Training plans made from recurring shortcomings (D2.01.4 #2–3, B1.03.4) and rule changes
// (D2.02.4) everyone must acknowledge: the linked criteria, the operators taking part with their
// attendance, feedback and acknowledgement, and the materials (content-addressed files).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('trainings', (t) => {
    t.increments('id').primary();
    t.string('kind', 16).notNullable().defaultTo('training'); // training | rule_change
    t.string('topic', 200).notNullable();
    t.text('description');
    t.string('training_date', 10).notNullable(); // Asia/Tashkent day it is held (a rule change: the day it takes effect)
    t.string('trainer', 200);
    t.string('location', 200);
    t.string('status', 16).notNullable().defaultTo('planned'); // planned | held | cancelled
    t.string('held_at', 30);
    t.integer('created_by').notNullable().references('id').inTable('users').withKeyName('trainings_created_by_fk');
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['kind', 'training_date'], 'trainings_kind_date_idx');
  });
  await knex.schema.createTable('training_criteria', (t) => {
    t.increments('id').primary();
    t.integer('training_id').notNullable().references('id').inTable('trainings').withKeyName('training_criteria_training_fk');
    t.string('criterion_code', 32).notNullable();
    t.unique(['training_id', 'criterion_code'], { indexName: 'training_criteria_training_code_unique' });
  });
  await knex.schema.createTable('training_participants', (t) => {
    t.increments('id').primary();
    t.integer('training_id').notNullable().references('id').inTable('trainings').withKeyName('training_participants_training_fk');
    t.integer('operator_id').notNullable().references('id').inTable('operators').withKeyName('training_participants_operator_fk');
    t.boolean('suggested').notNullable().defaultTo(false); // proposed from the operator's errors
    t.boolean('attended'); // null until attendance is recorded
    t.string('acknowledged_at', 30); // rule changes: when the operator acknowledged
    t.integer('acknowledged_by').references('id').inTable('users').withKeyName('training_participants_ack_by_fk'); // the operator's account, or the supervisor who marked it
    t.integer('feedback_relevance'); // 1..5
    t.integer('feedback_clarity'); // 1..5
    t.text('feedback_improve');
    t.string('feedback_at', 30);
    t.integer('feedback_by').references('id').inTable('users').withKeyName('training_participants_feedback_by_fk');
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.unique(['training_id', 'operator_id'], { indexName: 'training_participants_training_operator_unique' });
    t.index(['operator_id'], 'training_participants_operator_idx');
  });
  await knex.schema.createTable('training_materials', (t) => {
    t.increments('id').primary();
    t.integer('training_id').notNullable().references('id').inTable('trainings').withKeyName('training_materials_training_fk');
    t.string('sha256', 64).notNullable(); // the file is stored under RECORDINGS_DIR/training/<sha256>
    t.string('original_name', 255).notNullable(); // for display and the download name only, never a path
    t.string('mime_type', 100).notNullable(); // decided from the content, not the name
    t.bigInteger('size_bytes').notNullable();
    t.integer('uploaded_by').references('id').inTable('users').withKeyName('training_materials_uploaded_by_fk');
    t.string('created_at', 30).notNullable();
    t.string('removed_at', 30);
    t.index(['training_id'], 'training_materials_training_idx');
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
