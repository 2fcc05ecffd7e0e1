// Keeping the follow-up worklist in step with what the services report: a "not fulfilled" opens an
// item; a later "fulfilled" from the service closes an item still open. Called inside the events'
// transaction (src/features/events/apply.ts) and by the no-outcome tick.
import type { Knex } from 'knex';
import { insertReturningId } from '../../db';

export interface RequestState {
  requestId: number;
  callId: number;
  service: string;
  outcome: 'fulfilled' | 'not_fulfilled' | null;
  outcomeAt: string | null;
}

/** Opens or closes the request's follow-up item as its outcome says. */
export async function syncFollowupForRequest(trx: Knex | Knex.Transaction, r: RequestState, now: string, dueMinutes: number): Promise<void> {
  const existing = await trx('service_followups').where({ service_request_id: r.requestId }).first('id', 'status', 'reason');
  if (r.outcome === 'not_fulfilled') {
    if (existing) {
      // A service reporting "not fulfilled" after saying "fulfilled" reopens the item.
      if (existing.status === 'closed' && existing.reason !== 'not_fulfilled') await trx('service_followups').where({ id: existing.id }).update({ status: 'open', reason: 'not_fulfilled', closed_at: null, closed_by: null, resolution: null, updated_at: now });
      return;
    }
    const openedAt = r.outcomeAt ?? now;
    await insertReturningId(trx, 'service_followups', {
      service_request_id: r.requestId,
      call_id: r.callId,
      service: r.service,
      reason: 'not_fulfilled',
      status: 'open',
      opened_at: openedAt,
      due_at: new Date(Date.parse(openedAt) + dueMinutes * 60000).toISOString(),
      created_at: now,
      updated_at: now,
    });
    return;
  }
  if (r.outcome === 'fulfilled' && existing && existing.status !== 'closed') {
    await trx('service_followups').where({ id: existing.id }).update({ status: 'closed', closed_at: r.outcomeAt ?? now, resolution: 'service_reported', updated_at: now });
  }
}

/**
 * Opens a "no outcome" item for every request dispatched longer ago than its service's limit with
 * no outcome and no item yet. Returns how many opened. Limits: minutes per service.
 */
export async function openNoOutcomeFollowups(db: Knex, now: Date, limits: Record<string, number>, dueMinutes: number): Promise<number> {
  let opened = 0;
  const nowIso = now.toISOString();
  for (const [service, minutes] of Object.entries(limits)) {
    const before = new Date(now.getTime() - minutes * 60000).toISOString();
    // Only the last few days: an old request without an outcome is history, not a live item.
    const since = new Date(now.getTime() - 3 * 86400000).toISOString();
    const rows = await db('service_requests as s')
      .leftJoin('service_followups as f', 'f.service_request_id', 's.id')
      .where('s.service', service)
      .whereNull('s.outcome')
      .where('s.dispatched_at', '<', before)
      .where('s.dispatched_at', '>=', since)
      .whereNull('f.id')
      .select('s.id', 's.call_id', 's.dispatched_at')
      .limit(1000);
    for (const r of rows) {
      const openedAt = new Date(Date.parse(r.dispatched_at as string) + minutes * 60000).toISOString();
      const n = await db('service_followups')
        .insert({
          service_request_id: r.id,
          call_id: r.call_id,
          service,
          reason: 'no_outcome',
          status: 'open',
          opened_at: openedAt,
          due_at: new Date(Date.parse(openedAt) + dueMinutes * 60000).toISOString(),
          created_at: nowIso,
          updated_at: nowIso,
        })
        .onConflict('service_request_id')
        .ignore()
        .returning('id');
      opened += n.length;
    }
  }
  return opened;
}
