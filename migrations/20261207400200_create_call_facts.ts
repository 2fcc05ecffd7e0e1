// Facts of every call (src/features/facts, docs/facts.md): typed columns for what the service KPIs
// add up, the evidence behind them as JSON, and the version of the rules that made them. Derived
// data: a row is computed again whenever anything it depends on changes (the stale list below,
// kept by triggers in a later migration), and removed with its call.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('call_facts', (t) => {
    t.integer('call_id').primary('call_facts_pkey').references('id').inTable('calls').withKeyName('call_facts_call_fk').onDelete('CASCADE');
    t.integer('facts_version').notNullable();
    t.string('computed_at', 30).notNullable();
    // metadata
    t.string('answer_state', 12).notNullable(); // answered | abandoned | unknown
    t.float('answer_delay_sec'); // answered − offered (started_at); null when unknown or implausible
    t.float('duration_sec'); // connected time: ended − answered (else the call's stated duration)
    t.boolean('dropped').notNullable();
    t.integer('callback_attempts').notNullable().defaultTo(0);
    t.float('first_callback_sec'); // end of the dropped call → first callback attempt
    t.boolean('callback_reached'); // null when the call did not drop
    t.float('reached_callback_sec'); // end of the dropped call → first answered callback
    t.integer('attempts_to_reach'); // attempts up to and including the first answered one
    t.boolean('card_present').notNullable();
    t.boolean('card_complete');
    t.float('card_completeness'); // 0..1
    t.text('card_missing_fields'); // JSON array of mandatory card fields left empty
    t.string('reviewed_at', 30); // first regular evaluation submitted
    t.float('review_lag_sec'); // call ended → reviewed_at
    // recording
    t.string('audio_state', 12).notNullable(); // none | pending | measured | failed | unusable
    t.float('recording_duration_sec');
    t.integer('operator_channel'); // 0 = left, 1 = right, as configured for the source when computed
    t.float('operator_talk_sec');
    t.float('caller_talk_sec');
    t.float('talk_sec'); // anyone speaking
    t.float('talk_share'); // operator ÷ (operator + caller)
    t.integer('silence_count');
    t.float('silence_total_sec');
    t.float('silence_longest_sec');
    t.integer('hold_count');
    t.float('hold_total_sec');
    t.float('hold_longest_sec');
    t.float('talk_over_sec');
    t.integer('talk_over_count');
    t.float('greeting_latency_sec'); // answer → the operator's first speech
    t.text('flags').notNullable(); // JSON array of flag codes (bad input found, doubts)
    t.text('evidence').notNullable(); // JSON: segments and inputs behind the numbers
    t.index(['answer_state'], 'call_facts_answer_state_idx');
    t.index(['facts_version'], 'call_facts_version_idx'); // rows made by older rules, found at start
  });
  // Calls whose facts must be computed again. A mark carries a random token: the computation
  // clears it only if the token is still the one it read, so a write meanwhile keeps its mark.
  await knex.schema.createTable('call_facts_stale', (t) => {
    t.integer('call_id').primary('call_facts_stale_pkey');
    t.bigInteger('token').notNullable();
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
