// Digests (ma'lumotnoma): preparing one for a period and a scope, storing it, delivering it by
// e-mail through the job queue (retried with backoff, never twice), and the schedules.
import type { Knex } from 'knex';
import type { AppDeps } from '../../app-context';
import { audit } from '../../audit/audit';
import { nowIso } from '../../db';
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError, fieldErrorsFromZod, type FieldError } from '../../http/errors';
import { DEFAULT_LANGUAGE, isLanguage, type Language } from '../../i18n';
import { JobLostError, PermanentJobError, type JobContext } from '../../jobs/queue';
import { createMailer, sendOnce } from '../../mail';
import { isIsoDate, tashkentToday, addDays } from '../../time';
import { checkPeriod } from '../errors/analysis';
import type { ErrorScope } from '../errors/access';
import * as errorsRepo from '../errors/errors.repository';
import { flattenCriteria, type LocalizedText } from '../rubrics/rubric.model';
import { buildDigestContent, type DigestContent, type DigestErrorRow, type DigestScope, type ScopeType } from './digest-content';
import { buildDigestWorkbook, composeDigestEmail, workbookFileName } from './digest-render';
import { duePeriod, scheduleKey, type DigestSchedule } from './digest-schedule';
import { digestFormSchema, parseScope, scheduleFormSchema } from './digests.schema';
import * as repo from './digests.repository';

type Conn = Knex | Knex.Transaction;

export const SEND_JOB = 'digests.send';
export const PREPARE_JOB = 'digests.prepare';
/** With the queue's backoff (5 s, 10 s, 20 s … capped at 30 min) ten attempts ride out about 45 minutes of SMTP outage; after that the page offers "retry". */
export const SEND_MAX_ATTEMPTS = 10;
/** A "sending" digest untouched this long was left by a crashed worker and may be taken again. */

export interface Viewer {
  id: number;
  role: string;
  displayName?: string;
  language?: Language;
}

export const sendJobKey = (digestId: number) => `digest-send:${digestId}`;

// ---------------------------------------------------------------------------------------------
// Scope and content

interface ResolvedScope {
  scope: DigestScope;
  recipients: repo.Recipient[];
  recipientLanguage: Language | null;
}

/**
 * The supervisor, team or centre a digest covers and who receives it: the supervisor; a team's
 * supervisor; for the centre, the person who asked. A supervisor may only ask for their own.
 */
async function resolveScope(db: Conn, raw: { type: ScopeType; id: number | null }, asker: Viewer | null): Promise<ResolvedScope> {
  if (asker?.role === 'specialist' && raw.type !== 'team') throw new ValidationError([{ field: 'scope', key: 'digests.form.teamOnly' }]);
  if (raw.type === 'supervisor') {
    const sup = raw.id ? await repo.findUser(db, raw.id) : null;
    if (!sup || sup.role !== 'supervisor') throw new ValidationError([{ field: 'scope', key: 'digests.form.unknownSupervisor' }]);
    if (asker && asker.role !== 'admin' && asker.id !== sup.id) throw new ForbiddenError('digests.forbidden.notYours');
    return { scope: { type: 'supervisor', id: sup.id, name: sup.name }, recipients: [{ userId: sup.id, name: sup.name, email: sup.email }], recipientLanguage: sup.language };
  }
  if (raw.type === 'team') {
    const team = raw.id ? await repo.findTeam(db, raw.id) : null;
    if (!team) throw new ValidationError([{ field: 'scope', key: 'digests.form.unknownTeam' }]);
    // A specialist prepares a team's ma'lumotnoma for its supervisor (B2.02.4 #2–3).
    if (asker && asker.role !== 'admin' && asker.role !== 'specialist' && asker.id !== team.supervisorUserId) throw new ForbiddenError('digests.forbidden.notYours');
    const sup = team.supervisorUserId ? await repo.findUser(db, team.supervisorUserId) : null;
    return { scope: { type: 'team', id: team.id, name: team.name }, recipients: sup ? [{ userId: sup.id, name: sup.name, email: sup.email }] : [], recipientLanguage: sup?.language ?? null };
  }
  if (asker && asker.role !== 'admin') throw new ForbiddenError('digests.forbidden.notYours');
  const me = asker ? await repo.findUser(db, asker.id) : null;
  return { scope: { type: 'centre', id: null, name: null }, recipients: me ? [{ userId: me.id, name: me.name, email: me.email }] : [], recipientLanguage: me?.language ?? null };
}

/** The live errors of a period in a scope, with criterion texts from each evaluation's rubric version. */
async function digestErrors(db: Conn, scope: DigestScope, from: string, to: string): Promise<DigestErrorRow[]> {
  // A supervisor's digest covers their teams' operators; a team's, that team; the centre, everyone.
  const errorScope: ErrorScope = scope.type === 'supervisor' ? { kind: 'supervisor', userId: scope.id! } : { kind: 'all' };
  const teamId = scope.type === 'team' ? scope.id! : undefined;
  const { rows } = await errorsRepo.listErrors(db, errorScope, { status: 'all', teamId, from, to }, { limit: 100000, offset: 0 });
  const defs = await errorsRepo.rubricDefinitions(db, rows.map((r) => r.rubricVersionId));
  const texts = new Map<number, Map<string, LocalizedText>>();
  for (const [id, def] of defs) texts.set(id, new Map(flattenCriteria(def).map((c) => [c.code, c.text])));
  return rows.map((r) => ({
    id: r.id, evaluationId: r.evaluationId, callId: r.callId, callStartedAt: r.callStartedAt, operatorId: r.operatorId,
    operatorName: r.operatorName, operatorCode: r.operatorCode, teamName: r.teamName, errorDate: r.errorDate,
    criterionCode: r.criterionCode, criterionText: r.criterionCode ? (texts.get(r.rubricVersionId)?.get(r.criterionCode) ?? null) : null,
    category: r.category, severity: r.severity, comment: r.comment, atSec: r.atSec, status: r.status,
  }));
}

async function buildContent(deps: Pick<AppDeps, 'db' | 'config'>, resolved: ResolvedScope, from: string, to: string, preparedBy: string | null, now: string): Promise<DigestContent> {
  const [evaluations, errors] = await Promise.all([
    repo.evaluationStats(deps.db, { type: resolved.scope.type, id: resolved.scope.id }, from, to),
    digestErrors(deps.db, resolved.scope, from, to),
  ]);
  return buildDigestContent({
    scope: resolved.scope, periodStart: from, periodEnd: to, preparedBy, recipientName: resolved.recipients[0]?.name ?? null,
    generatedAt: now, evaluations, errors, appBaseUrl: deps.config.appBaseUrl,
  });
}

/** Whether a digest can go out by e-mail at all: SMTP configured and someone with an address. */
export function isDeliverable(config: Pick<AppDeps['config'], 'smtpUrl'>, recipients: readonly repo.Recipient[]): boolean {
  return !!config.smtpUrl && recipients.some((r) => !!r.email);
}

// ---------------------------------------------------------------------------------------------
// Preparing

export interface DigestRequest {
  scope?: unknown;
  from?: unknown;
  to?: unknown;
  send?: unknown;
}

/**
 * A digest on demand: validates the period and the scope, stores the digest with its frozen
 * content and, when asked and possible, queues its e-mail. Bad input is a ValidationError with
 * field messages; nothing is stored then.
 */
export async function prepareDigest(deps: AppDeps, viewer: Viewer, input: DigestRequest, ip?: string): Promise<number> {
  const parsed = digestFormSchema.safeParse({ scope: input.scope ?? '', from: input.from ?? '', to: input.to ?? '', send: input.send });
  if (!parsed.success) throw new ValidationError(fieldErrorsFromZod(parsed.error.issues));
  const fields: FieldError[] = checkPeriod(parsed.data.from, parsed.data.to, deps.config.maxReportDays, isIsoDate).map((p) => ({ field: p.field, key: p.key, params: p.params }));
  const rawScope = parseScope(parsed.data.scope);
  if (!rawScope) fields.push({ field: 'scope', key: 'digests.form.scopeRequired' });
  if (fields.length || !rawScope) throw new ValidationError(fields);
  const resolved = await resolveScope(deps.db, rawScope, viewer);
  const now = nowIso(deps.clock);
  const content = await buildContent(deps, resolved, parsed.data.from, parsed.data.to, viewer.displayName ?? null, now);
  // A specialist's digest is a draft they review before handing it over (see handOver).
  const bySpecialist = viewer.role === 'specialist';
  const send = !bySpecialist && parsed.data.send && isDeliverable(deps.config, resolved.recipients);
  return deps.db.transaction(async (trx) => {
    const id = await repo.insertDigest(trx, {
      scopeType: resolved.scope.type, scopeId: resolved.scope.id, periodStart: parsed.data.from, periodEnd: parsed.data.to,
      language: resolved.recipientLanguage ?? viewer.language ?? DEFAULT_LANGUAGE, trigger: 'manual', scheduleKey: null, preparedBy: viewer.id,
      recipients: resolved.recipients, content, deliveryStatus: send ? 'pending' : 'in_app', handoverStatus: bySpecialist ? 'draft' : null,
    }, now);
    if (send) await deps.jobs.enqueue(SEND_JOB, { digestId: id }, { dedupeKey: sendJobKey(id), maxAttempts: SEND_MAX_ATTEMPTS }, trx);
    await audit(trx, { userId: viewer.id, action: 'digest.prepare', entityType: 'digest', entityId: id, ip, details: { scope: rawScope, from: parsed.data.from, to: parsed.data.to, send } }, deps.clock);
    return id;
  });
}

/**
 * The digest a schedule asked for (job `digests.prepare`): stored once per supervisor and period
 * end however often the job runs, then queued for e-mail when it can go out.
 */
export async function prepareScheduledDigest(deps: AppDeps, payload: { userId: number; periodStart: string; periodEnd: string }): Promise<{ digestId: number; created: boolean }> {
  if (!isIsoDate(payload.periodStart) || !isIsoDate(payload.periodEnd) || payload.periodEnd < payload.periodStart) throw new PermanentJobError(`bad period ${payload.periodStart}..${payload.periodEnd}`);
  let resolved: ResolvedScope;
  try {
    resolved = await resolveScope(deps.db, { type: 'supervisor', id: Number(payload.userId) }, null);
  } catch (e) {
    if (e instanceof AppError) throw new PermanentJobError(`no such supervisor: ${payload.userId}`);
    throw e;
  }
  const now = nowIso(deps.clock);
  const key = scheduleKey(Number(payload.userId), payload.periodEnd);
  const content = await buildContent(deps, resolved, payload.periodStart, payload.periodEnd, null, now);
  const send = isDeliverable(deps.config, resolved.recipients);
  return deps.db.transaction(async (trx) => {
    const { id, created } = await repo.insertScheduledDigest(trx, {
      scopeType: 'supervisor', scopeId: resolved.scope.id, periodStart: payload.periodStart, periodEnd: payload.periodEnd,
      language: resolved.recipientLanguage ?? DEFAULT_LANGUAGE, trigger: 'schedule', scheduleKey: key, preparedBy: null,
      recipients: resolved.recipients, content, deliveryStatus: send ? 'pending' : 'in_app',
    }, now);
    if (created && send) await deps.jobs.enqueue(SEND_JOB, { digestId: id }, { dedupeKey: sendJobKey(id), maxAttempts: SEND_MAX_ATTEMPTS }, trx);
    return { digestId: id, created };
  });
}

// ---------------------------------------------------------------------------------------------
// Delivering

/**
 * Sends a digest (job `digests.send`). Checks the status first, so a retried or duplicated job
 * never mails a digest twice, and sends through the mail outbox (src/mail/outbox.ts): the message
 * is recorded under `digest:<id>` before it goes to SMTP and marked sent right after, so a run of
 * the job after a crash or a lease takeover finds it sent. A failure is recorded on the digest
 * (attempts, last error) and rethrown so the queue retries with backoff.
 */
export async function sendDigest(deps: AppDeps, digestId: number, ctx?: Pick<JobContext, 'holder' | 'assertHeld'>): Promise<{ sent: boolean; reason?: string }> {
  const digest = await repo.findDigest(deps.db, digestId);
  if (!digest) throw new PermanentJobError(`digest ${digestId} not found`);
  if (digest.deliveryStatus === 'sent') return { sent: false, reason: 'alreadySent' };
  if (!isDeliverable(deps.config, digest.recipients)) {
    await repo.setDeliveryStatus(deps.db, digestId, 'in_app', nowIso(deps.clock));
    return { sent: false, reason: 'inApp' };
  }
  await repo.markSending(deps.db, digestId, nowIso(deps.clock));
  const lang: Language = isLanguage(digest.language) ? digest.language : DEFAULT_LANGUAGE;
  const mailer = createMailer(deps.config);
  try {
    const email = composeDigestEmail(digest.content, lang, `${deps.config.appBaseUrl}/digests/${digest.id}`);
    const workbook = await buildDigestWorkbook(digest.content, lang);
    const outcome = await sendOnce(
      deps.db,
      { key: digestOutboxKey(digestId), holder: ctx?.holder, assertHeld: ctx?.assertHeld, domain: new URL(deps.config.appBaseUrl).hostname, clock: deps.clock },
      (messageId) =>
        mailer.send({
          to: digest.recipients.filter((r) => r.email).map((r) => `${r.name.replace(/[<>"]/g, '')} <${r.email}>`),
          subject: email.subject,
          text: email.text,
          messageId,
          attachments: [{ filename: workbookFileName(digest.content, lang), content: workbook, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }],
        }),
    );
    await repo.markSent(deps.db, digestId, nowIso(deps.clock));
    if (!outcome.sent) return { sent: false, reason: 'alreadySent' };
    deps.logger.info({ digest: digestId }, 'digest sent');
    return { sent: true };
  } catch (e) {
    // This run lost its job to another instance: that one sends (or sent) it; nothing to record.
    if (e instanceof JobLostError) throw e;
    const message = (e as Error)?.message ?? String(e);
    await repo.markFailed(deps.db, digestId, message, nowIso(deps.clock));
    // A plain error, so the queue retries with backoff whatever nodemailer thinks of the reply
    // (it flags 5xx answers as permanent; a refusing server may well be fixed within the hour).
    throw new Error(message);
  } finally {
    mailer.close();
  }
}

/** The outbox key of a digest's e-mail. */
export const digestOutboxKey = (digestId: number) => `digest:${digestId}`;

/**
 * A specialist hands their reviewed digest over (the page's "send to the supervisor"): it appears
 * among the supervisor's digests, marked new, and goes out by e-mail when it can. Once only (409
 * after). Audited.
 */
export async function handOver(deps: AppDeps, viewer: Viewer, digestId: number, ip?: string): Promise<{ emailed: boolean }> {
  const digest = await getDigest(deps.db, viewer, digestId);
  if (digest.handoverStatus !== 'draft') throw new ConflictError('digests.handover.already');
  if (!digest.recipients.length) throw new ConflictError('digests.handover.noSupervisor');
  const emailed = isDeliverable(deps.config, digest.recipients);
  await deps.db.transaction(async (trx) => {
    if (!(await repo.markHandedOver(trx, digestId, viewer.id, nowIso(deps.clock)))) throw new ConflictError('digests.handover.already');
    if (emailed) {
      await repo.setDeliveryStatus(trx, digestId, 'pending', nowIso(deps.clock));
      await deps.jobs.enqueue(SEND_JOB, { digestId }, { dedupeKey: sendJobKey(digestId), maxAttempts: SEND_MAX_ATTEMPTS }, trx);
    }
    await audit(trx, { userId: viewer.id, action: 'digest.handover', entityType: 'digest', entityId: digestId, ip, details: { to: digest.recipients.map((r) => r.userId), emailed } }, deps.clock);
  });
  return { emailed };
}

/** The supervisor it was handed to opens it: no longer new. */
export async function markOpened(deps: Pick<AppDeps, 'db' | 'clock'>, viewer: Viewer, digest: repo.Digest): Promise<void> {
  if (viewer.role === 'supervisor' && digest.handoverStatus === 'sent' && !digest.readAt) await repo.markRead(deps.db, digest.id, nowIso(deps.clock));
}

/** How many ma'lumotnomas specialists handed to this supervisor wait unopened (their home page says so). */
export async function unreadHandovers(deps: Pick<AppDeps, 'db'>, supervisorId: number): Promise<number> {
  return repo.unreadHandovers(deps.db, supervisorId);
}

/** Queues an e-mail for a stored digest (the page's "send" or "retry" button). */
export async function requestSend(deps: AppDeps, viewer: Viewer, digestId: number, ip?: string): Promise<void> {
  const digest = await getDigest(deps.db, viewer, digestId);
  if (digest.deliveryStatus === 'sent') throw new ConflictError('digests.send.alreadySent');
  if (!deps.config.smtpUrl) throw new ConflictError('digests.send.smtpOff');
  if (!isDeliverable(deps.config, digest.recipients)) throw new ConflictError('digests.send.noEmail');
  await deps.db.transaction(async (trx) => {
    await repo.setDeliveryStatus(trx, digestId, 'pending', nowIso(deps.clock));
    await audit(trx, { userId: viewer.id, action: 'digest.send', entityType: 'digest', entityId: digestId, ip }, deps.clock);
  });
  const jobId = await deps.jobs.enqueue(SEND_JOB, { digestId }, { dedupeKey: sendJobKey(digestId), maxAttempts: SEND_MAX_ATTEMPTS });
  const job = await deps.jobs.get(jobId);
  // The key is per digest for good: a job that gave up earlier is put back rather than duplicated.
  if (job && (job.status === 'failed' || job.status === 'done' || deps.jobs.isStuck(job))) await deps.jobs.retry(jobId);
}

// ---------------------------------------------------------------------------------------------
// Reading

/**
 * One digest for a viewer: admins all; a supervisor their own and their teams' (a specialist's only
 * once handed over); a specialist those they prepared.
 */
export async function getDigest(db: Conn, viewer: Viewer, id: number): Promise<repo.Digest> {
  const d = await repo.findDigest(db, id);
  if (!d) throw new NotFoundError('digests.notFound');
  if (viewer.role === 'admin') return d;
  if (viewer.role === 'specialist') {
    if (d.preparedBy === viewer.id) return d;
    throw new ForbiddenError('digests.forbidden.notYours');
  }
  if (viewer.role === 'supervisor' && d.handoverStatus !== 'draft') {
    if (d.scopeType === 'supervisor' && d.scopeId === viewer.id) return d;
    if (d.scopeType === 'team' && d.scopeId) {
      const team = await repo.findTeam(db, d.scopeId);
      if (team?.supervisorUserId === viewer.id) return d;
    }
  }
  throw new ForbiddenError('digests.forbidden.notYours');
}

export async function digestsPage(deps: AppDeps, viewer: Viewer, page: number) {
  const limit = 25;
  const [list, teams, supervisors, schedule, schedules] = await Promise.all([
    repo.listDigests(deps.db, viewer, { limit, offset: (page - 1) * limit }),
    repo.listTeams(deps.db, viewer.role === 'admin' || viewer.role === 'specialist' ? undefined : viewer.id),
    viewer.role === 'admin' ? repo.listSupervisors(deps.db) : Promise.resolve([]),
    repo.findSchedule(deps.db, viewer.id),
    viewer.role === 'admin' ? repo.listSchedules(deps.db) : Promise.resolve([]),
  ]);
  const today = tashkentToday(deps.clock);
  return { ...list, pages: Math.max(1, Math.ceil(list.total / limit)), page, teams, supervisors, schedule, schedules, today, defaultFrom: addDays(today, -7), defaultTo: addDays(today, -1), smtpConfigured: !!deps.config.smtpUrl };
}

// ---------------------------------------------------------------------------------------------
// Schedules

/** Saves a supervisor's schedule (their own; an admin may set any supervisor's). "off" keeps it, inactive. */
export async function saveSchedule(deps: AppDeps, viewer: Viewer, input: Record<string, unknown>, ip?: string): Promise<DigestSchedule> {
  const parsed = scheduleFormSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(fieldErrorsFromZod(parsed.error.issues));
  const userId = viewer.role === 'admin' && parsed.data.userId ? parsed.data.userId : viewer.id;
  const target = await repo.findUser(deps.db, userId);
  if (!target || target.role !== 'supervisor') throw new ValidationError([{ field: 'userId', key: 'digests.form.unknownSupervisor' }]);
  if (viewer.role !== 'admin' && userId !== viewer.id) throw new ForbiddenError('digests.forbidden.notYours');
  const existing = await repo.findSchedule(deps.db, userId);
  const off = parsed.data.frequency === 'off';
  const schedule: DigestSchedule = {
    userId,
    frequency: off ? (existing?.frequency ?? 'daily') : (parsed.data.frequency as DigestSchedule['frequency']),
    weekday: parsed.data.frequency === 'weekly' ? parsed.data.weekday! : off ? (existing?.weekday ?? null) : null,
    sendTime: parsed.data.sendTime,
    isActive: !off,
  };
  await repo.saveSchedule(deps.db, schedule, nowIso(deps.clock));
  await audit(deps.db, { userId: viewer.id, action: 'digest.schedule', entityType: 'user', entityId: userId, ip, details: { ...schedule } }, deps.clock);
  return schedule;
}

/** The scheduler's tick: queue the digests that are due, one job per supervisor and period. */
export function scheduleTick(deps: AppDeps) {
  return async (now: Date): Promise<number> => {
    let queued = 0;
    for (const s of await repo.activeSchedules(deps.db)) {
      const period = duePeriod(s, now);
      if (!period) continue;
      await deps.jobs.enqueue(PREPARE_JOB, { userId: s.userId, ...period }, { dedupeKey: scheduleKey(s.userId, period.periodEnd), maxAttempts: 5 });
      queued++;
    }
    return queued;
  };
}
