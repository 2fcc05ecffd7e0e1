// Recording analysis is now made for every arriving recording (cheap, in-process for telephony
// WAVs), apart from the browser rendition made only for sampled or opened calls: when it was made,
// by which version of the speech detector, and why it failed when it did.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('recordings', (t) => {
    t.string('analysed_at', 30);
    t.integer('analysis_version'); // media/vad.ts VAD_VERSION the facts were made with
    t.text('analysis_error'); // JSON {key, params}: why the recording could not be analysed
    // At start, recordings analysed by an older detector are found through this, not a scan.
    t.index(['analysis_version'], 'recordings_analysis_version_idx');
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
