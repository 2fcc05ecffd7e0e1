// Daily listening plans: the draw's evidence (seed, rules, population fingerprint) and its assignments.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('plan_rules', (t) => {
    t.increments('id').primary();
    t.string('name', 200).notNullable();
    t.text('rules').notNullable(); // JSON: eligibility, quota, priority weights
    t.boolean('is_active').notNullable().defaultTo(true);
    t.integer('updated_by').references('id').inTable('users').withKeyName('plan_rules_updated_by_fk');
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
  });
  await knex.schema.createTable('specialist_duty', (t) => {
    t.increments('id').primary();
    t.integer('user_id').notNullable().references('id').inTable('users').withKeyName('specialist_duty_user_fk');
    t.boolean('on_duty').notNullable().defaultTo(true);
    t.integer('daily_capacity').notNullable().defaultTo(40); // calls per day
    t.string('languages', 100).notNullable().defaultTo('uz,ru'); // languages they can evaluate
    t.string('updated_at', 30).notNullable();
    t.unique(['user_id'], { indexName: 'specialist_duty_user_unique' });
  });
  await knex.schema.createTable('plans', (t) => {
    t.increments('id').primary();
    t.string('plan_date', 10).notNullable(); // Asia/Tashkent day the plan is for
    t.string('status', 16).notNullable(); // active | superseded
    t.string('seed', 64).notNullable();
    t.text('rules').notNullable(); // JSON: the rules as they were at the draw
    t.string('algorithm_version', 32).notNullable();
    t.string('population_fingerprint', 64).notNullable(); // sha256 over the eligible call ids
    t.integer('population_count').notNullable();
    t.text('specialists'); // JSON: who was on duty, capacity, languages
    t.text('unassigned'); // JSON: calls that could not be assigned, with reasons
    t.integer('created_by').references('id').inTable('users').withKeyName('plans_created_by_fk');
    t.string('created_at', 30).notNullable();
    t.index(['plan_date', 'status'], 'plans_date_status_idx');
  });
  await knex.schema.createTable('assignments', (t) => {
    t.increments('id').primary();
    t.integer('plan_id').notNullable().references('id').inTable('plans').withKeyName('assignments_plan_fk');
    t.integer('call_id').notNullable().references('id').inTable('calls').withKeyName('assignments_call_fk');
    t.integer('operator_id').references('id').inTable('operators').withKeyName('assignments_operator_fk');
    t.integer('specialist_user_id').references('id').inTable('users').withKeyName('assignments_specialist_fk');
    t.float('priority').notNullable().defaultTo(0);
    t.string('status', 16).notNullable().defaultTo('new'); // new | in_progress | done | unassigned | cancelled
    t.string('origin', 16).notNullable().defaultTo('draw'); // draw | added | carried
    t.integer('evaluation_id').references('id').inTable('evaluations').withKeyName('assignments_evaluation_fk');
    t.integer('carried_from_id').references('id').inTable('assignments').withKeyName('assignments_carried_from_fk');
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['plan_id', 'specialist_user_id'], 'assignments_plan_specialist_idx');
    t.index(['specialist_user_id', 'status'], 'assignments_specialist_status_idx');
    t.index(['call_id'], 'assignments_call_idx');
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
