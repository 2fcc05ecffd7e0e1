// Every digest produced, on a schedule or on demand: what it covered, its frozen content and how
// its delivery went. Kept as history; never deleted.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('digests', (t) => {
    t.increments('id').primary();
    t.string('scope_type', 16).notNullable(); // supervisor | team | centre
    t.integer('scope_id'); // users.id for supervisor, teams.id for team, null for centre
    t.string('period_start', 10).notNullable(); // Asia/Tashkent days, inclusive
    t.string('period_end', 10).notNullable();
    t.string('language', 2).notNullable(); // of the recipient: the e-mail and the workbook use it
    t.string('trigger', 16).notNullable(); // schedule | manual
    t.string('schedule_key', 100); // digest:<userId>:<periodEnd> for scheduled digests: one per period
    t.integer('prepared_by').references('id').inTable('users').withKeyName('digests_prepared_by_fk'); // null when the schedule made it
    t.text('recipients').notNullable(); // JSON [{userId, name, email}]
    t.text('content').notNullable(); // JSON snapshot: header, summary, errors by operator
    t.string('delivery_status', 16).notNullable(); // in_app | pending | sending | sent | failed
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error');
    t.string('sent_at', 30);
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.unique(['schedule_key'], { indexName: 'digests_schedule_key_unique' });
    t.index(['scope_type', 'scope_id', 'period_end'], 'digests_scope_period_idx');
    t.index(['created_at'], 'digests_created_at_idx');
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
