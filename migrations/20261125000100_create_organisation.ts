// Users, regions, teams and operators. Timestamps are ISO-8601 UTC strings on both databases.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('regions', (t) => {
    t.increments('id').primary();
    t.string('code', 16).notNullable().unique('regions_code_unique');
    t.string('name_uz', 100).notNullable();
    t.string('name_ru', 100).notNullable();
    t.string('name_en', 100).notNullable();
  });
  await knex.schema.createTable('users', (t) => {
    t.increments('id').primary();
    t.string('username', 64).notNullable().unique('users_username_unique');
    t.string('display_name', 200).notNullable();
    t.string('email', 200);
    t.string('password_hash', 200).notNullable();
    t.string('role', 20).notNullable(); // admin | specialist | supervisor | leadership | operator
    t.string('language', 2).notNullable().defaultTo('uz');
    t.boolean('is_active').notNullable().defaultTo(true);
    t.integer('operator_id'); // set for operator accounts (FK added with operators below)
    t.string('last_login_at', 30);
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['role'], 'users_role_idx');
  });
  await knex.schema.createTable('teams', (t) => {
    t.increments('id').primary();
    t.string('name', 200).notNullable().unique('teams_name_unique');
    t.integer('supervisor_user_id').references('id').inTable('users').withKeyName('teams_supervisor_fk');
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['supervisor_user_id'], 'teams_supervisor_idx');
  });
  await knex.schema.createTable('operators', (t) => {
    t.increments('id').primary();
    t.string('employee_code', 32).notNullable().unique('operators_employee_code_unique');
    t.string('full_name', 200).notNullable();
    t.integer('team_id').references('id').inTable('teams').withKeyName('operators_team_fk');
    t.string('category', 32); // professional category, e.g. A1, A2
    t.string('languages', 100).notNullable().defaultTo('uz'); // comma-separated: uz,ru,kaa,en,sign
    t.boolean('is_active').notNullable().defaultTo(true);
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['team_id'], 'operators_team_idx');
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
