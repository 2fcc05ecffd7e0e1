// When each supervisor wants their digest (ma'lumotnoma): daily or weekly, at an Asia/Tashkent time.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('digest_schedules', (t) => {
    t.increments('id').primary();
    t.integer('user_id').notNullable().references('id').inTable('users').withKeyName('digest_schedules_user_fk');
    t.string('frequency', 16).notNullable(); // daily | weekly
    t.integer('weekday'); // 1 = Monday … 7 = Sunday, for weekly schedules
    t.string('send_time', 5).notNullable(); // HH:MM, Asia/Tashkent
    t.boolean('is_active').notNullable().defaultTo(true);
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.unique(['user_id'], { indexName: 'digest_schedules_user_unique' });
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
