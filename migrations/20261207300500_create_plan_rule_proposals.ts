// Plan rules a monitoring specialist proposes (B2.01.4 #2: the specialist prepares the monitoring
// plan, a supervisor approves it). A proposal waits for a supervisor's or an administrator's
// decision — unless the deployment lets specialists' rules apply at once — and is kept after it,
// with who decided what and when, beside the audit log.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('plan_rule_proposals', (t) => {
    t.increments('id').primary();
    t.integer('plan_rule_id').references('id').inTable('plan_rules').withKeyName('plan_rule_proposals_rule_fk'); // the rule set it changes; null = a new one
    t.string('name', 200).notNullable();
    t.text('rules').notNullable(); // JSON: the proposed rules, already checked
    t.boolean('is_active').notNullable();
    t.string('status', 16).notNullable(); // pending | approved | rejected | applied (at once, by the setting)
    t.integer('proposed_by').notNullable().references('id').inTable('users').withKeyName('plan_rule_proposals_proposed_by_fk');
    t.string('proposed_at', 30).notNullable();
    t.integer('decided_by').references('id').inTable('users').withKeyName('plan_rule_proposals_decided_by_fk');
    t.string('decided_at', 30);
    t.text('decision_note');
    t.integer('applied_rule_id').references('id').inTable('plan_rules').withKeyName('plan_rule_proposals_applied_fk');
    t.index(['status', 'proposed_at'], 'plan_rule_proposals_status_idx');
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
