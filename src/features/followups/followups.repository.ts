// The follow-up worklist's SQL: items, their contacts, and counts by service and region.
import type { Knex } from 'knex';
import { insertReturningId, num } from '../../db';

export interface FollowupRow {
  id: number;
  callId: number;
  externalId: string;
  service: string;
  reason: string;
  status: string;
  openedAt: string;
  dueAt: string;
  closedAt: string | null;
  resolution: string | null;
  escalatedAt: string | null;
  escalatedToName: string | null;
  serviceReason: string | null;
  regionNames: { uz: string; ru: string; en: string } | null;
  operatorId: number | null;
  operatorName: string | null;
  teamSupervisorUserId: number | null;
  contacts: number;
}

const COLUMNS = [
  'f.id', 'f.call_id', 'c.external_id', 'f.service', 'f.reason', 'f.status', 'f.opened_at', 'f.due_at', 'f.closed_at', 'f.resolution', 'f.escalated_at',
  'eu.display_name as escalated_to_name', 's.reason as service_reason', 'r.name_uz', 'r.name_ru', 'r.name_en', 'c.region_id', 'c.operator_id', 'o.full_name', 't.supervisor_user_id',
];

function base(db: Knex) {
  return db('service_followups as f')
    .join('calls as c', 'c.id', 'f.call_id')
    .join('service_requests as s', 's.id', 'f.service_request_id')
    .leftJoin('regions as r', 'r.id', 'c.region_id')
    .leftJoin('operators as o', 'o.id', 'c.operator_id')
    .leftJoin('teams as t', 't.id', 'o.team_id')
    .leftJoin('users as eu', 'eu.id', 'f.escalated_to');
}

function map(r: Record<string, unknown>, contacts = 0): FollowupRow {
  return {
    id: Number(r.id),
    callId: Number(r.call_id),
    externalId: r.external_id as string,
    service: r.service as string,
    reason: r.reason as string,
    status: r.status as string,
    openedAt: r.opened_at as string,
    dueAt: r.due_at as string,
    closedAt: (r.closed_at as string | null) ?? null,
    resolution: (r.resolution as string | null) ?? null,
    escalatedAt: (r.escalated_at as string | null) ?? null,
    escalatedToName: (r.escalated_to_name as string | null) ?? null,
    serviceReason: (r.service_reason as string | null) ?? null,
    regionNames: r.region_id == null ? null : { uz: r.name_uz as string, ru: r.name_ru as string, en: r.name_en as string },
    operatorId: r.operator_id == null ? null : Number(r.operator_id),
    operatorName: (r.full_name as string | null) ?? null,
    teamSupervisorUserId: r.supervisor_user_id == null ? null : Number(r.supervisor_user_id),
    contacts,
  };
}

export async function listFollowups(db: Knex, o: { status: 'active' | 'closed'; supervisorUserId: number | null; limit: number }): Promise<FollowupRow[]> {
  const q = base(db).select(COLUMNS).limit(o.limit);
  if (o.status === 'active') q.whereIn('f.status', ['open', 'escalated']).orderBy('f.due_at');
  else q.where('f.status', 'closed').orderBy('f.closed_at', 'desc');
  if (o.supervisorUserId !== null) q.where((w) => w.where('t.supervisor_user_id', o.supervisorUserId).orWhere('f.escalated_to', o.supervisorUserId));
  const rows = (await q) as Record<string, unknown>[];
  const counts = rows.length ? await db('service_followup_contacts').whereIn('followup_id', rows.map((r) => Number(r.id))).groupBy('followup_id').select('followup_id').count({ n: '*' }) : [];
  const byId = new Map((counts as Record<string, unknown>[]).map((c) => [Number(c.followup_id), num(c.n)]));
  return rows.map((r) => map(r, byId.get(Number(r.id)) ?? 0));
}

export async function findFollowup(db: Knex | Knex.Transaction, id: number): Promise<FollowupRow | null> {
  const r = await base(db as Knex).where('f.id', id).first(COLUMNS);
  return r ? map(r) : null;
}

export interface ContactRow {
  id: number;
  userName: string;
  contactName: string;
  contactedAt: string;
  result: string;
  note: string | null;
}

export async function contactsOf(db: Knex, followupId: number): Promise<ContactRow[]> {
  const rows = await db('service_followup_contacts as k').join('users as u', 'u.id', 'k.user_id').where('k.followup_id', followupId).orderBy('k.contacted_at').select('k.id', 'u.display_name', 'k.contact_name', 'k.contacted_at', 'k.result', 'k.note');
  return rows.map((r) => ({ id: Number(r.id), userName: r.display_name as string, contactName: r.contact_name as string, contactedAt: r.contacted_at as string, result: r.result as string, note: (r.note as string | null) ?? null }));
}

export async function insertContact(trx: Knex.Transaction, c: { followupId: number; userId: number; contactName: string; contactedAt: string; result: string; note: string | null; now: string }): Promise<number> {
  return insertReturningId(trx, 'service_followup_contacts', { followup_id: c.followupId, user_id: c.userId, contact_name: c.contactName, contacted_at: c.contactedAt, result: c.result, note: c.note, created_at: c.now });
}

export async function updateFollowup(trx: Knex.Transaction, id: number, changes: Record<string, unknown>): Promise<void> {
  await trx('service_followups').where({ id }).update(changes);
}

export interface CountRow {
  key: string;
  opened: number;
  notFulfilled: number;
  noOutcome: number;
  closed: number;
  stillOpen: number;
  overdue: number;
}

/** Items opened in [from, to) counted by service, or by region (code; '' without a region). */
export async function countsBy(db: Knex, by: 'service' | 'region', fromIso: string, toIso: string, nowIso: string): Promise<CountRow[]> {
  const key = by === 'service' ? 'f.service' : 'r.code';
  const rows = await db('service_followups as f')
    .join('calls as c', 'c.id', 'f.call_id')
    .leftJoin('regions as r', 'r.id', 'c.region_id')
    .where('f.opened_at', '>=', fromIso)
    .where('f.opened_at', '<', toIso)
    .groupBy(key)
    .select(db.raw(`${key} as k`))
    .count({ opened: '*' })
    .select(
      db.raw(`sum(case when f.reason = 'not_fulfilled' then 1 else 0 end) as not_fulfilled`),
      db.raw(`sum(case when f.reason = 'no_outcome' then 1 else 0 end) as no_outcome`),
      db.raw(`sum(case when f.status = 'closed' then 1 else 0 end) as closed`),
      db.raw(`sum(case when f.status <> 'closed' then 1 else 0 end) as still_open`),
      db.raw(`sum(case when f.status <> 'closed' and f.due_at < ? then 1 else 0 end) as overdue`, [nowIso]),
    );
  return (rows as Record<string, unknown>[])
    .map((r) => ({ key: (r.k as string | null) ?? '', opened: num(r.opened), notFulfilled: num(r.not_fulfilled), noOutcome: num(r.no_outcome), closed: num(r.closed), stillOpen: num(r.still_open), overdue: num(r.overdue) }))
    .sort((a, b) => a.key.localeCompare(b.key));
}
