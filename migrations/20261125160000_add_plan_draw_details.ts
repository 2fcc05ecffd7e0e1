// What a plan's draw saw besides the rules: per-operator eligible/quota/picked counts, the draw's
// warnings, the call-date window, and which operators were inactive at the draw (so a later
// verification judges "active operator" as it was then, not as it is now). Also the rule set the
// plan was drawn under.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('plans', (t) => {
    t.text('draw_details'); // JSON: { fromDate, toDate, perOperator, warnings, inactiveOperatorIds }
    t.integer('plan_rule_id').references('id').inTable('plan_rules').withKeyName('plans_plan_rule_fk');
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
