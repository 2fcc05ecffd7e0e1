// Marks on the audio: one per browser key (autosave updates instead of duplicating), and removed
// marks that an error record points at are marked, not deleted (errors.mark_id is evidence).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('evaluation_marks', (t) => {
    t.string('updated_at', 30);
    t.string('deleted_at', 30);
    t.unique(['evaluation_id', 'client_key'], { indexName: 'evaluation_marks_eval_client_key_unique' });
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
