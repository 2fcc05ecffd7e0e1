// Users, teams, operators and regions: the only place their SQL lives.
import type { Knex } from 'knex';
import { insertReturningId, nowIso, toBool, num } from '../../db';
import type { Role } from '../../auth/roles';
import type { Language } from '../../i18n';

export interface User {
  id: number;
  username: string;
  displayName: string;
  email: string | null;
  role: Role;
  language: Language;
  isActive: boolean;
  operatorId: number | null;
  lastLoginAt: string | null;
  createdAt: string;
}

export interface UserWithHash extends User {
  passwordHash: string;
}

const USER_COLUMNS = ['id', 'username', 'display_name', 'email', 'role', 'language', 'is_active', 'operator_id', 'last_login_at', 'created_at'];

function mapUser(r: Record<string, unknown>): User {
  return {
    id: Number(r.id),
    username: r.username as string,
    displayName: r.display_name as string,
    email: (r.email as string | null) ?? null,
    role: r.role as Role,
    language: r.language as Language,
    isActive: toBool(r.is_active),
    operatorId: r.operator_id == null ? null : Number(r.operator_id),
    lastLoginAt: (r.last_login_at as string | null) ?? null,
    createdAt: r.created_at as string,
  };
}

export async function findUserById(db: Knex, id: number): Promise<User | null> {
  const r = await db('users').where({ id }).first(USER_COLUMNS);
  return r ? mapUser(r) : null;
}

export async function findUserByUsername(db: Knex, username: string): Promise<UserWithHash | null> {
  const r = await db('users').whereRaw('lower(username) = ?', [username.toLowerCase()]).first([...USER_COLUMNS, 'password_hash']);
  return r ? { ...mapUser(r), passwordHash: r.password_hash as string } : null;
}

export async function listUsers(db: Knex, filter: { role?: Role; active?: boolean } = {}): Promise<User[]> {
  const q = db('users').select(USER_COLUMNS).orderBy('display_name');
  if (filter.role) q.where('role', filter.role);
  if (filter.active !== undefined) q.where('is_active', filter.active);
  return (await q).map(mapUser);
}

export async function countUsers(db: Knex): Promise<number> {
  const r = await db('users').count({ n: '*' }).first();
  return num(r?.n);
}

export interface NewUser {
  username: string;
  displayName: string;
  email?: string | null;
  passwordHash: string;
  role: Role;
  language: Language;
  operatorId?: number | null;
}

export async function insertUser(db: Knex | Knex.Transaction, u: NewUser, clock?: () => Date): Promise<number> {
  const now = nowIso(clock);
  return insertReturningId(db, 'users', {
    username: u.username,
    display_name: u.displayName,
    email: u.email ?? null,
    password_hash: u.passwordHash,
    role: u.role,
    language: u.language,
    operator_id: u.operatorId ?? null,
    is_active: true,
    created_at: now,
    updated_at: now,
  });
}

export async function updateUser(
  db: Knex | Knex.Transaction,
  id: number,
  patch: Partial<{ displayName: string; email: string | null; role: Role; language: Language; isActive: boolean; passwordHash: string; operatorId: number | null; lastLoginAt: string }>,
  clock?: () => Date,
): Promise<void> {
  const row: Record<string, unknown> = { updated_at: nowIso(clock) };
  if (patch.displayName !== undefined) row.display_name = patch.displayName;
  if (patch.email !== undefined) row.email = patch.email;
  if (patch.role !== undefined) row.role = patch.role;
  if (patch.language !== undefined) row.language = patch.language;
  if (patch.isActive !== undefined) row.is_active = patch.isActive;
  if (patch.passwordHash !== undefined) row.password_hash = patch.passwordHash;
  if (patch.operatorId !== undefined) row.operator_id = patch.operatorId;
  if (patch.lastLoginAt !== undefined) row.last_login_at = patch.lastLoginAt;
  await db('users').where({ id }).update(row);
}

// ---- regions ----
export interface Region {
  id: number;
  code: string;
  names: { uz: string; ru: string; en: string };
}

export async function listRegions(db: Knex): Promise<Region[]> {
  const rows = await db('regions').select('id', 'code', 'name_uz', 'name_ru', 'name_en').orderBy('id');
  return rows.map((r) => ({ id: Number(r.id), code: r.code, names: { uz: r.name_uz, ru: r.name_ru, en: r.name_en } }));
}

// ---- teams ----
export interface Team {
  id: number;
  name: string;
  supervisorUserId: number | null;
  supervisorName: string | null;
  operatorCount: number;
}

export async function listTeams(db: Knex): Promise<Team[]> {
  const rows = await db('teams as t')
    .leftJoin('users as u', 'u.id', 't.supervisor_user_id')
    .leftJoin('operators as o', 'o.team_id', 't.id')
    .groupBy('t.id', 't.name', 't.supervisor_user_id', 'u.display_name')
    .select('t.id', 't.name', 't.supervisor_user_id', 'u.display_name as supervisor_name')
    .count({ operator_count: 'o.id' })
    .orderBy('t.name');
  return rows.map((r: Record<string, unknown>) => ({
    id: Number(r.id),
    name: r.name as string,
    supervisorUserId: r.supervisor_user_id == null ? null : Number(r.supervisor_user_id),
    supervisorName: (r.supervisor_name as string | null) ?? null,
    operatorCount: num(r.operator_count),
  }));
}

export async function findTeam(db: Knex, id: number): Promise<Team | null> {
  return (await listTeams(db)).find((t) => t.id === id) ?? null;
}

export async function insertTeam(db: Knex | Knex.Transaction, t: { name: string; supervisorUserId: number | null }, clock?: () => Date): Promise<number> {
  const now = nowIso(clock);
  return insertReturningId(db, 'teams', { name: t.name, supervisor_user_id: t.supervisorUserId, created_at: now, updated_at: now });
}

export async function updateTeam(db: Knex, id: number, t: { name: string; supervisorUserId: number | null }, clock?: () => Date): Promise<void> {
  await db('teams').where({ id }).update({ name: t.name, supervisor_user_id: t.supervisorUserId, updated_at: nowIso(clock) });
}

export async function teamIdsSupervisedBy(db: Knex, userId: number): Promise<number[]> {
  const rows = await db('teams').where({ supervisor_user_id: userId }).select('id');
  return rows.map((r) => Number(r.id));
}

// ---- operators ----
export interface Operator {
  id: number;
  employeeCode: string;
  fullName: string;
  teamId: number | null;
  teamName: string | null;
  category: string | null;
  languages: string[];
  isActive: boolean;
}

function mapOperator(r: Record<string, unknown>): Operator {
  return {
    id: Number(r.id),
    employeeCode: r.employee_code as string,
    fullName: r.full_name as string,
    teamId: r.team_id == null ? null : Number(r.team_id),
    teamName: (r.team_name as string | null) ?? null,
    category: (r.category as string | null) ?? null,
    languages: String(r.languages ?? '').split(',').filter(Boolean),
    isActive: toBool(r.is_active),
  };
}

export async function listOperators(db: Knex, filter: { teamId?: number; teamIds?: number[]; active?: boolean; q?: string } = {}): Promise<Operator[]> {
  const q = db('operators as o').leftJoin('teams as t', 't.id', 'o.team_id').select('o.id', 'o.employee_code', 'o.full_name', 'o.team_id', 't.name as team_name', 'o.category', 'o.languages', 'o.is_active').orderBy('o.full_name');
  if (filter.teamId) q.where('o.team_id', filter.teamId);
  if (filter.teamIds) q.whereIn('o.team_id', filter.teamIds);
  if (filter.active !== undefined) q.where('o.is_active', filter.active);
  if (filter.q) q.where((w) => w.whereRaw('lower(o.full_name) like ?', [`%${filter.q!.toLowerCase()}%`]).orWhereRaw('lower(o.employee_code) like ?', [`%${filter.q!.toLowerCase()}%`]));
  return (await q).map(mapOperator);
}

export async function findOperator(db: Knex, id: number): Promise<Operator | null> {
  const r = await db('operators as o').leftJoin('teams as t', 't.id', 'o.team_id').where('o.id', id).first('o.id', 'o.employee_code', 'o.full_name', 'o.team_id', 't.name as team_name', 'o.category', 'o.languages', 'o.is_active');
  return r ? mapOperator(r) : null;
}

export async function findOperatorByCode(db: Knex, code: string): Promise<Operator | null> {
  const r = await db('operators').where({ employee_code: code }).first('id');
  return r ? findOperator(db, Number(r.id)) : null;
}

export interface OperatorInput {
  employeeCode: string;
  fullName: string;
  teamId: number | null;
  category: string | null;
  languages: string[];
  isActive: boolean;
}

export async function insertOperator(db: Knex | Knex.Transaction, o: OperatorInput, clock?: () => Date): Promise<number> {
  const now = nowIso(clock);
  return insertReturningId(db, 'operators', {
    employee_code: o.employeeCode,
    full_name: o.fullName,
    team_id: o.teamId,
    category: o.category,
    languages: o.languages.join(','),
    is_active: o.isActive,
    created_at: now,
    updated_at: now,
  });
}

export async function updateOperator(db: Knex, id: number, o: OperatorInput, clock?: () => Date): Promise<void> {
  await db('operators').where({ id }).update({
    employee_code: o.employeeCode,
    full_name: o.fullName,
    team_id: o.teamId,
    category: o.category,
    languages: o.languages.join(','),
    is_active: o.isActive,
    updated_at: nowIso(clock),
  });
}
