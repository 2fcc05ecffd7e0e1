// The only SQL of the digests feature: digests, schedules, and the figures a digest summarises.
import type { Knex } from 'knex';
import { insertReturningId, num, parseJson, toBool } from '../../db';
import type { Language } from '../../i18n';
import type { DigestContent, ScopeType } from './digest-content';
import type { DigestSchedule, Frequency } from './digest-schedule';

type Conn = Knex | Knex.Transaction;

export const DELIVERY_STATUSES = ['in_app', 'pending', 'sending', 'sent', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface Recipient {
  userId: number;
  name: string;
  email: string | null;
}

export interface Digest {
  id: number;
  scopeType: ScopeType;
  scopeId: number | null;
  periodStart: string;
  periodEnd: string;
  language: Language;
  trigger: 'schedule' | 'manual';
  scheduleKey: string | null;
  preparedBy: number | null;
  recipients: Recipient[];
  content: DigestContent;
  deliveryStatus: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  sentAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** a specialist's digest: draft while they review it, sent once handed over to the supervisor; null otherwise */
  handoverStatus: 'draft' | 'sent' | null;
  handedOverAt: string | null;
  /** when the recipient supervisor first opened it */
  readAt: string | null;
}

function mapDigest(r: Record<string, unknown>): Digest {
  return {
    id: Number(r.id),
    scopeType: r.scope_type as ScopeType,
    scopeId: r.scope_id == null ? null : Number(r.scope_id),
    periodStart: String(r.period_start),
    periodEnd: String(r.period_end),
    language: r.language as Language,
    trigger: r.trigger as Digest['trigger'],
    scheduleKey: (r.schedule_key as string | null) ?? null,
    preparedBy: r.prepared_by == null ? null : Number(r.prepared_by),
    recipients: parseJson<Recipient[]>(r.recipients, []),
    content: parseJson<DigestContent>(r.content, null as unknown as DigestContent),
    deliveryStatus: r.delivery_status as DeliveryStatus,
    attempts: Number(r.attempts),
    lastError: (r.last_error as string | null) ?? null,
    sentAt: (r.sent_at as string | null) ?? null,
    createdAt: String(r.created_at),
    updatedAt: String(r.updated_at),
    handoverStatus: (r.handover_status as Digest['handoverStatus']) ?? null,
    handedOverAt: (r.handed_over_at as string | null) ?? null,
    readAt: (r.read_at as string | null) ?? null,
  };
}

export type NewDigest = Pick<Digest, 'scopeType' | 'scopeId' | 'periodStart' | 'periodEnd' | 'language' | 'trigger' | 'scheduleKey' | 'preparedBy' | 'recipients' | 'content' | 'deliveryStatus'> & {
  sentAt?: string | null;
  handoverStatus?: Digest['handoverStatus'];
};

function digestRow(d: NewDigest, now: string) {
  return {
    scope_type: d.scopeType,
    scope_id: d.scopeId,
    period_start: d.periodStart,
    period_end: d.periodEnd,
    language: d.language,
    trigger: d.trigger,
    schedule_key: d.scheduleKey,
    prepared_by: d.preparedBy,
    recipients: JSON.stringify(d.recipients),
    content: JSON.stringify(d.content),
    delivery_status: d.deliveryStatus,
    attempts: 0,
    sent_at: d.sentAt ?? null,
    handover_status: d.handoverStatus ?? null,
    created_at: now,
    updated_at: now,
  };
}

export async function insertDigest(db: Conn, d: NewDigest, now: string): Promise<number> {
  return insertReturningId(db, 'digests', digestRow(d, now));
}

/**
 * Stores a scheduled digest once per schedule key: when two instances (or a retried job) prepare
 * the same period, the second insert is ignored and the first digest's id comes back.
 */
export async function insertScheduledDigest(db: Conn, d: NewDigest & { scheduleKey: string }, now: string): Promise<{ id: number; created: boolean }> {
  const inserted = await db('digests').insert(digestRow(d, now)).onConflict('schedule_key').ignore().returning('id');
  if (inserted.length) {
    const r = inserted[0] as { id: number } | number;
    return { id: Number(typeof r === 'object' ? r.id : r), created: true };
  }
  const existing = await db('digests').where({ schedule_key: d.scheduleKey }).first('id');
  return { id: Number(existing.id), created: false };
}

export async function findDigest(db: Conn, id: number): Promise<Digest | null> {
  const r = await db('digests').where({ id }).first();
  return r ? mapDigest(r) : null;
}

export interface DigestListItem extends Omit<Digest, 'content'> {
  errors: number;
  scopeName: string | null;
  preparedByName: string | null;
}

/**
 * Digests a user may see, newest first: all for an admin; a supervisor's own and their teams' (a
 * specialist's only once handed over); a specialist those they prepared.
 */
export async function listDigests(db: Conn, viewer: { role: string; id: number }, page: { limit: number; offset: number }): Promise<{ rows: DigestListItem[]; total: number }> {
  const q = db('digests as d').leftJoin('users as p', 'p.id', 'd.prepared_by');
  if (viewer.role === 'specialist') q.where('d.prepared_by', viewer.id);
  else if (viewer.role !== 'admin') {
    q.where((w) => w.whereNull('d.handover_status').orWhereNot('d.handover_status', 'draft'));
    q.where((w) => {
      w.where((x) => x.where('d.scope_type', 'supervisor').andWhere('d.scope_id', viewer.id))
        .orWhere((x) => x.where('d.scope_type', 'team').whereIn('d.scope_id', db('teams').where('supervisor_user_id', viewer.id).select('id')));
    });
  }
  const total = await q.clone().count({ n: 'd.id' }).first();
  const rows = await q.select('d.*', 'p.display_name as prepared_by_name').orderBy('d.created_at', 'desc').orderBy('d.id', 'desc').limit(page.limit).offset(page.offset);
  return {
    total: num(total?.n),
    rows: rows.map((r: Record<string, unknown>) => {
      const d = mapDigest(r);
      const { content, ...rest } = d;
      return { ...rest, errors: content?.summary?.errors ?? 0, scopeName: content?.header?.scope?.name ?? null, preparedByName: (r.prepared_by_name as string | null) ?? null };
    }),
  };
}

/**
 * Takes a digest for sending: only from pending, failed or in_app, or from a "sending" left behind
 * by a crashed worker (older than staleBefore). Counts the attempt. False when it is sent already
 * or someone else is sending it right now: the caller then does nothing, so nothing is sent twice.
 */
/** A send is under way (the outbox decides whether this run may send; see src/mail/outbox.ts). */
export async function markSending(db: Conn, id: number, now: string): Promise<void> {
  await db('digests').where({ id }).whereNot('delivery_status', 'sent').update({ delivery_status: 'sending', attempts: db.raw('attempts + 1'), updated_at: now });
}

export async function markSent(db: Conn, id: number, now: string): Promise<void> {
  await db('digests').where({ id }).update({ delivery_status: 'sent', sent_at: now, last_error: null, updated_at: now });
}

export async function markFailed(db: Conn, id: number, error: string, now: string): Promise<void> {
  await db('digests').where({ id }).whereNot('delivery_status', 'sent').update({ delivery_status: 'failed', last_error: error.slice(0, 2000), updated_at: now });
}

export async function setDeliveryStatus(db: Conn, id: number, status: DeliveryStatus, now: string): Promise<void> {
  await db('digests').where({ id }).whereNot('delivery_status', 'sent').update({ delivery_status: status, updated_at: now });
}

/** A specialist hands their digest over: once (false when it was handed over already). */
export async function markHandedOver(db: Conn, id: number, by: number, now: string): Promise<boolean> {
  const n = await db('digests').where({ id, handover_status: 'draft' }).update({ handover_status: 'sent', handed_over_at: now, handed_over_by: by, updated_at: now });
  return Number(n) === 1;
}

/** The recipient supervisor opened it: the first time is kept. */
export async function markRead(db: Conn, id: number, now: string): Promise<void> {
  await db('digests').where({ id }).whereNull('read_at').update({ read_at: now });
}

/** Digests specialists handed over to this supervisor (their own scope or their teams') not yet opened. */
export async function unreadHandovers(db: Conn, supervisorId: number): Promise<number> {
  const r = await db('digests as d')
    .where('d.handover_status', 'sent')
    .whereNull('d.read_at')
    .where((w) => w.where((x) => x.where('d.scope_type', 'supervisor').andWhere('d.scope_id', supervisorId))
      .orWhere((x) => x.where('d.scope_type', 'team').whereIn('d.scope_id', db('teams').where('supervisor_user_id', supervisorId).select('id'))))
    .count({ n: '*' })
    .first();
  return num(r?.n);
}

// ---------------------------------------------------------------------------------------------
// Schedules

function mapSchedule(r: Record<string, unknown>): DigestSchedule {
  return {
    userId: Number(r.user_id),
    frequency: r.frequency as Frequency,
    weekday: r.weekday == null ? null : Number(r.weekday),
    sendTime: String(r.send_time),
    isActive: toBool(r.is_active),
  };
}

export async function findSchedule(db: Conn, userId: number): Promise<DigestSchedule | null> {
  const r = await db('digest_schedules').where({ user_id: userId }).first();
  return r ? mapSchedule(r) : null;
}

/** Active schedules of active supervisors (a schedule outlives a role change but stops sending). */
export async function activeSchedules(db: Conn): Promise<DigestSchedule[]> {
  const rows = await db('digest_schedules as s').join('users as u', 'u.id', 's.user_id')
    .where('s.is_active', true).andWhere('u.is_active', true).andWhere('u.role', 'supervisor').select('s.*');
  return rows.map(mapSchedule);
}

export interface ScheduleRow extends DigestSchedule {
  userName: string;
}

export async function listSchedules(db: Conn): Promise<ScheduleRow[]> {
  const rows = await db('digest_schedules as s').join('users as u', 'u.id', 's.user_id').select('s.*', 'u.display_name').orderBy('u.display_name');
  return rows.map((r: Record<string, unknown>) => ({ ...mapSchedule(r), userName: String(r.display_name) }));
}

export async function saveSchedule(db: Conn, s: DigestSchedule, now: string): Promise<void> {
  const row = { frequency: s.frequency, weekday: s.weekday, send_time: s.sendTime, is_active: s.isActive, updated_at: now };
  const existing = await db('digest_schedules').where({ user_id: s.userId }).first('id');
  if (existing) await db('digest_schedules').where({ id: existing.id }).update(row);
  else await db('digest_schedules').insert({ user_id: s.userId, ...row, created_at: now });
}

// ---------------------------------------------------------------------------------------------
// People and the figures a digest summarises

export interface PersonRow {
  id: number;
  name: string;
  email: string | null;
  language: Language;
  role: string;
  isActive: boolean;
}

export async function findUser(db: Conn, id: number): Promise<PersonRow | null> {
  const r = await db('users').where({ id }).first('id', 'display_name', 'email', 'language', 'role', 'is_active');
  return r ? { id: Number(r.id), name: r.display_name, email: r.email ?? null, language: r.language, role: r.role, isActive: toBool(r.is_active) } : null;
}

export async function listSupervisors(db: Conn): Promise<PersonRow[]> {
  const rows = await db('users').where({ role: 'supervisor', is_active: true }).select('id', 'display_name', 'email', 'language', 'role', 'is_active').orderBy('display_name');
  return rows.map((r) => ({ id: Number(r.id), name: r.display_name, email: r.email ?? null, language: r.language, role: r.role, isActive: true }));
}

export async function findTeam(db: Conn, id: number): Promise<{ id: number; name: string; supervisorUserId: number | null } | null> {
  const r = await db('teams').where({ id }).first('id', 'name', 'supervisor_user_id');
  return r ? { id: Number(r.id), name: r.name, supervisorUserId: r.supervisor_user_id == null ? null : Number(r.supervisor_user_id) } : null;
}

export async function listTeams(db: Conn, supervisorUserId?: number): Promise<{ id: number; name: string; supervisorUserId: number | null }[]> {
  const q = db('teams').select('id', 'name', 'supervisor_user_id').orderBy('name');
  if (supervisorUserId) q.where('supervisor_user_id', supervisorUserId);
  return (await q).map((r) => ({ id: Number(r.id), name: r.name, supervisorUserId: r.supervisor_user_id == null ? null : Number(r.supervisor_user_id) }));
}

/** Submitted evaluations of the random sample in a period for the operators of a scope (the digest's figures). */
export async function evaluationStats(db: Conn, scope: { type: ScopeType; id: number | null }, from: string, to: string): Promise<{ count: number; averageScore: number | null; criticalFailures: number }> {
  const q = db('evaluations as v').where('v.status', 'submitted').andWhere('v.kind', 'regular').andWhere('v.purpose', 'random').andWhere('v.evaluation_date', '>=', from).andWhere('v.evaluation_date', '<=', to);
  if (scope.type === 'supervisor') q.whereIn('v.operator_id', db('operators as o').join('teams as t', 't.id', 'o.team_id').where('t.supervisor_user_id', scope.id).select('o.id'));
  if (scope.type === 'team') q.whereIn('v.operator_id', db('operators').where('team_id', scope.id).select('id'));
  const r = await q.clone().count({ n: 'v.id' }).avg({ avg: 'v.score' }).first();
  const c = await q.clone().where('v.critical_failure', true).count({ n: 'v.id' }).first();
  return { count: num(r?.n), averageScore: r?.avg == null ? null : Number(r.avg), criticalFailures: num(c?.n) };
}

/** Demo seed only: a digest's delivery as if it had happened. */
export async function recordDelivery(db: Conn, id: number, d: { status: DeliveryStatus; attempts: number; sentAt: string | null; lastError: string | null }, now: string): Promise<void> {
  await db('digests').where({ id }).update({ delivery_status: d.status, attempts: d.attempts, sent_at: d.sentAt, last_error: d.lastError, updated_at: now });
}
