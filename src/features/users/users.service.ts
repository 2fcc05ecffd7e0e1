// Deciding things about users: who may sign in, password rules, the rate limit on failed sign-ins.
import bcrypt from 'bcryptjs';
import type { Knex } from 'knex';
import { z } from 'zod';
import { audit } from '../../audit/audit';
import { endSessionsOf } from '../../auth/sessions';
import { reserveSignInAttempt, settleSignInAttempt } from '../../auth/sign-in-limit';
import { ValidationError, fieldErrorsFromZod, AppError } from '../../http/errors';
import { ROLES, Role } from '../../auth/roles';
import { LANGUAGES, Language } from '../../i18n';
import * as repo from './users.repository';

export const usernameSchema = z.string().trim().regex(/^[a-zA-Z0-9._-]{3,64}$/, 'users.form.usernameInvalid');
export const passwordSchema = z.string().min(10, 'users.form.passwordTooShort').max(200, 'users.form.passwordTooLong');

export const userFormSchema = z.object({
  username: usernameSchema,
  displayName: z.string().trim().min(1, 'users.form.displayNameRequired').max(200, 'users.form.tooLong'),
  email: z.union([z.literal(''), z.email('users.form.emailInvalid')]).optional(),
  role: z.enum(ROLES, 'users.form.roleInvalid'),
  language: z.enum(LANGUAGES, 'users.form.languageInvalid'),
  password: passwordSchema,
  operatorId: z.coerce.number().int().positive().optional(),
});
export type UserForm = z.infer<typeof userFormSchema>;

export async function hashPassword(password: string, rounds: number): Promise<string> {
  return bcrypt.hash(password, rounds);
}

// A hash to compare against when the user does not exist, so both cases take the same time.
const DUMMY_HASH = bcrypt.hashSync('no such user, no such password', 4);

export async function createUser(db: Knex, input: unknown, opts: { rounds: number; actorId?: number | null; clock?: () => Date }): Promise<number> {
  const parsed = userFormSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(fieldErrorsFromZod(parsed.error.issues));
  const u = parsed.data;
  if (await repo.findUserByUsername(db, u.username)) throw new ValidationError([{ field: 'username', key: 'users.form.usernameTaken' }]);
  if (u.role === 'operator' && !u.operatorId) throw new ValidationError([{ field: 'operatorId', key: 'users.form.operatorRequired' }]);
  const passwordHash = await hashPassword(u.password, opts.rounds);
  const id = await repo.insertUser(db, { username: u.username, displayName: u.displayName, email: u.email || null, passwordHash, role: u.role, language: u.language, operatorId: u.role === 'operator' ? u.operatorId : null }, opts.clock);
  await audit(db, { userId: opts.actorId ?? null, action: 'user.create', entityType: 'user', entityId: id, details: { username: u.username, role: u.role } }, opts.clock);
  return id;
}

export type SignInResult = { ok: true; user: repo.User } | { ok: false; key: 'auth.signIn.invalid' | 'auth.signIn.tooMany'; retryMinutes?: number };

export async function signIn(
  db: Knex,
  creds: { username: string; password: string; ip: string },
  opts: { maxFailures: number; windowMinutes: number; clock: () => Date },
): Promise<SignInResult> {
  const username = String(creds.username ?? '').trim().slice(0, 64);
  const subject = username.toLowerCase();
  const now = opts.clock();
  // The limit is checked and the attempt counted in one step (auth/sign-in-limit.ts). A call centre
  // often shares one public address, so the per-address limit is ten times the per-user one.
  const attempt = await reserveSignInAttempt(db, subject, creds.ip, { perUser: opts.maxFailures, perAddress: opts.maxFailures * 10, windowMinutes: opts.windowMinutes }, now);
  if (attempt === null) {
    await audit(db, { action: 'auth.signInThrottled', subject, ip: creds.ip }, opts.clock);
    return { ok: false, key: 'auth.signIn.tooMany', retryMinutes: opts.windowMinutes };
  }
  const user = username ? await repo.findUserByUsername(db, username) : null;
  const matches = await bcrypt.compare(String(creds.password ?? ''), user?.passwordHash ?? DUMMY_HASH);
  if (!user || !matches || !user.isActive) {
    // One message for unknown user, wrong password and disabled account; the log keeps the reason.
    const reason = !user ? 'unknownUser' : !matches ? 'wrongPassword' : 'disabled';
    await settleSignInAttempt(db, attempt, 'failed');
    await audit(db, { userId: user?.id ?? null, action: 'auth.signInFailed', subject, ip: creds.ip, details: { reason } }, opts.clock);
    return { ok: false, key: 'auth.signIn.invalid' };
  }
  await settleSignInAttempt(db, attempt, 'ok');
  await repo.updateUser(db, user.id, { lastLoginAt: now.toISOString() }, opts.clock);
  await audit(db, { userId: user.id, action: 'auth.signIn', entityType: 'user', entityId: user.id, ip: creds.ip }, opts.clock);
  const { passwordHash: _ignored, ...safe } = user;
  return { ok: true, user: safe };
}

/** A new password ends every session of the user (but the acting administrator's own, `keepSessionId`). */
export async function resetPassword(db: Knex, userId: number, password: string, opts: { rounds: number; actorId: number | null; clock?: () => Date; keepSessionId?: string }): Promise<void> {
  const parsed = passwordSchema.safeParse(password);
  if (!parsed.success) throw new ValidationError(fieldErrorsFromZod(parsed.error.issues.map((i) => ({ ...i, path: ['password'] }))));
  const user = await repo.findUserById(db, userId);
  if (!user) throw new AppError(404, 'users.notFound');
  await repo.updateUser(db, userId, { passwordHash: await hashPassword(password, opts.rounds) }, opts.clock);
  const sessionsEnded = await endSessionsOf(db, userId, { keepSessionId: opts.keepSessionId });
  await audit(db, { userId: opts.actorId, action: 'user.passwordReset', entityType: 'user', entityId: userId, details: { sessionsEnded } }, opts.clock);
}

export const userUpdateSchema = z.object({
  displayName: z.string().trim().min(1, 'users.form.displayNameRequired').max(200, 'users.form.tooLong'),
  email: z.union([z.literal(''), z.email('users.form.emailInvalid')]).optional(),
  role: z.enum(ROLES, 'users.form.roleInvalid'),
  language: z.enum(LANGUAGES, 'users.form.languageInvalid'),
  isActive: z.boolean(),
  operatorId: z.coerce.number().int().positive().optional(),
});

export async function updateUserByAdmin(db: Knex, userId: number, input: unknown, opts: { actorId: number; clock?: () => Date }): Promise<void> {
  const parsed = userUpdateSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(fieldErrorsFromZod(parsed.error.issues));
  const before = await repo.findUserById(db, userId);
  if (!before) throw new AppError(404, 'users.notFound');
  const u = parsed.data;
  if (userId === opts.actorId && (!u.isActive || u.role !== 'admin')) throw new ValidationError([{ field: 'role', key: 'users.form.cannotDemoteSelf' }]);
  if (u.role === 'operator' && !u.operatorId) throw new ValidationError([{ field: 'operatorId', key: 'users.form.operatorRequired' }]);
  await repo.updateUser(db, userId, { displayName: u.displayName, email: u.email || null, role: u.role, language: u.language, isActive: u.isActive, operatorId: u.role === 'operator' ? (u.operatorId ?? null) : null }, opts.clock);
  const changes: Record<string, unknown> = {};
  for (const k of ['displayName', 'email', 'role', 'language', 'isActive'] as const) {
    const was = before[k] ?? null;
    const now = k === 'email' ? u.email || null : u[k];
    if (was !== now) changes[k] = { from: was, to: now };
  }
  // A new role or a deactivation takes effect everywhere at once: that user's sessions end.
  if (changes.role || (before.isActive && !u.isActive)) changes.sessionsEnded = await endSessionsOf(db, userId);
  await audit(db, { userId: opts.actorId, action: 'user.update', entityType: 'user', entityId: userId, details: changes }, opts.clock);
}

export async function setLanguage(db: Knex, userId: number, language: string): Promise<Language> {
  if (!(LANGUAGES as readonly string[]).includes(language)) throw new ValidationError([{ field: 'language', key: 'users.form.languageInvalid' }]);
  await repo.updateUser(db, userId, { language: language as Language });
  return language as Language;
}

export type { Role };
