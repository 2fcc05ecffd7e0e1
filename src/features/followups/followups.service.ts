// The follow-up of calls the services did not fulfil (B3.02.4 #2): a specialist records whom they
// contacted at the service, when, and what came of it. "Fulfilled" closes the item; "not fulfilled"
// hands it to the supervisor of the call's operator; otherwise it stays open, with its deadline.
import type { Knex } from 'knex';
import { z } from 'zod';
import type { AppDeps } from '../../app-context';
import { audit } from '../../audit/audit';
import type { Role } from '../../auth/roles';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, fieldErrorsFromZod } from '../../http/errors';
import { tashkentClock, tashkentDate, tashkentToUtc } from '../../time';
import * as repo from './followups.repository';

export const FOLLOWUP_ROLES: readonly Role[] = ['specialist', 'supervisor', 'admin'];
export const CONTACT_RESULTS = ['fulfilled', 'in_progress', 'not_fulfilled', 'no_answer'] as const;

export const contactSchema = z.object({
  contactName: z.string({ error: 'followups.form.contactRequired' }).trim().min(1, 'followups.form.contactRequired').max(200, 'followups.form.contactTooLong'),
  contactedAt: z
    .string({ error: 'followups.form.timeInvalid' })
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'followups.form.timeInvalid')
    .transform((v) => tashkentToUtc(v.slice(0, 10), v.slice(11, 16)).toISOString()),
  result: z.enum(CONTACT_RESULTS, { error: 'followups.form.resultInvalid' }),
  note: z.string().trim().max(1000, 'followups.form.noteTooLong').optional().transform((v) => v || null),
});
export type ContactInput = z.output<typeof contactSchema>;

/** "YYYY-MM-DDTHH:MM" in Tashkent: the contact form's datetime-local value for an instant. */
export function localInput(instant: Date | number): string {
  return `${tashkentDate(instant)}T${tashkentClock(new Date(instant))}`;
}

/** Where a contact's result takes the item. Pure. */
export function nextStatus(current: string, result: (typeof CONTACT_RESULTS)[number]): { status: 'open' | 'escalated' | 'closed'; resolution: string | null } {
  if (result === 'fulfilled') return { status: 'closed', resolution: 'fulfilled' };
  if (result === 'not_fulfilled') return { status: 'escalated', resolution: null };
  return { status: current === 'escalated' ? 'escalated' : 'open', resolution: null };
}

/** An item is overdue when still open after its deadline. Pure. */
export function isOverdue(f: { status: string; dueAt: string }, now: Date): boolean {
  return f.status !== 'closed' && Date.parse(f.dueAt) < now.getTime();
}

export function canSee(user: { id: number; role: Role }, f: repo.FollowupRow): boolean {
  if (user.role === 'specialist' || user.role === 'admin') return true;
  return user.role === 'supervisor' && (f.teamSupervisorUserId === user.id || f.teamSupervisorUserId === null);
}

export async function recordContact(deps: Pick<AppDeps, 'db' | 'clock'>, user: { id: number; role: Role }, id: number, body: unknown, ip?: string): Promise<{ status: string }> {
  const f = await repo.findFollowup(deps.db, id);
  if (!f) throw new NotFoundError();
  if (!canSee(user, f)) throw new ForbiddenError();
  if (f.status === 'closed') throw new ConflictError('followups.closedAlready');
  const parsed = contactSchema.safeParse(body);
  if (!parsed.success) throw new ValidationError(fieldErrorsFromZod(parsed.error.issues));
  const c = parsed.data;
  const now = deps.clock().toISOString();
  if (c.contactedAt > new Date(deps.clock().getTime() + 5 * 60000).toISOString()) throw new ValidationError([{ field: 'contactedAt', key: 'followups.form.timeFuture' }]);
  const next = nextStatus(f.status, c.result);
  await deps.db.transaction(async (trx: Knex.Transaction) => {
    await repo.insertContact(trx, { followupId: id, userId: user.id, contactName: c.contactName, contactedAt: c.contactedAt, result: c.result, note: c.note, now });
    const changes: Record<string, unknown> = { status: next.status, updated_at: now };
    if (next.status === 'closed') Object.assign(changes, { closed_at: now, closed_by: user.id, resolution: next.resolution });
    if (next.status === 'escalated' && f.status !== 'escalated') Object.assign(changes, { escalated_at: now, escalated_to: f.teamSupervisorUserId });
    await repo.updateFollowup(trx, id, changes);
    await audit(trx, { userId: user.id, action: 'followup.contact', entityType: 'call', entityId: f.callId, ip, details: { followupId: id, result: c.result, status: next.status } }, deps.clock);
  });
  return { status: next.status };
}

/** A supervisor (or administrator) closes an item handed to them, saying what was done. */
export async function closeBySupervisor(deps: Pick<AppDeps, 'db' | 'clock'>, user: { id: number; role: Role }, id: number, body: unknown, ip?: string): Promise<void> {
  const f = await repo.findFollowup(deps.db, id);
  if (!f) throw new NotFoundError();
  if (user.role !== 'admin' && !(user.role === 'supervisor' && canSee(user, f))) throw new ForbiddenError();
  if (f.status === 'closed') throw new ConflictError('followups.closedAlready');
  const note = typeof (body as Record<string, unknown>)?.note === 'string' ? String((body as Record<string, unknown>).note).trim().slice(0, 1000) : '';
  if (!note) throw new ValidationError([{ field: 'note', key: 'followups.form.actionRequired' }]);
  const now = deps.clock().toISOString();
  await deps.db.transaction(async (trx: Knex.Transaction) => {
    await repo.insertContact(trx, { followupId: id, userId: user.id, contactName: '—', contactedAt: now, result: 'fulfilled', note, now });
    await repo.updateFollowup(trx, id, { status: 'closed', closed_at: now, closed_by: user.id, resolution: 'supervisor_closed', updated_at: now });
    await audit(trx, { userId: user.id, action: 'followup.close', entityType: 'call', entityId: f.callId, ip, details: { followupId: id } }, deps.clock);
  });
}
