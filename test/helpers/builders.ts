// Small builders: each test makes the data it needs.
import type { Knex } from 'knex';
import bcrypt from 'bcryptjs';
import { insertUser, insertTeam, insertOperator } from '../../src/features/users/users.repository';
import type { Role } from '../../src/auth/roles';
import type { Language } from '../../src/i18n';
import { insertReturningId } from '../../src/db';
import { tashkentDate } from '../../src/time';

export const TEST_PASSWORD = 'correct-horse-battery';
const hash = bcrypt.hashSync(TEST_PASSWORD, 4);
let seq = 0;
const next = () => ++seq;

export async function makeUser(db: Knex, o: { role?: Role; username?: string; language?: Language; displayName?: string; operatorId?: number; email?: string } = {}) {
  const n = next();
  const username = o.username ?? `${o.role ?? 'specialist'}${n}`;
  const id = await insertUser(db, { username, displayName: o.displayName ?? `User ${n}`, passwordHash: hash, role: o.role ?? 'specialist', language: o.language ?? 'en', operatorId: o.operatorId ?? null, email: o.email ?? null });
  return { id, username, password: TEST_PASSWORD };
}

export async function makeTeam(db: Knex, o: { name?: string; supervisorUserId?: number | null } = {}) {
  return insertTeam(db, { name: o.name ?? `Team ${next()}`, supervisorUserId: o.supervisorUserId ?? null });
}

export async function makeOperator(db: Knex, o: { teamId?: number | null; code?: string; name?: string; languages?: string[]; isActive?: boolean } = {}) {
  const n = next();
  return insertOperator(db, { employeeCode: o.code ?? `T-${n}`, fullName: o.name ?? `Operator ${n}`, teamId: o.teamId ?? null, category: 'A1', languages: o.languages ?? ['uz'], isActive: o.isActive ?? true });
}

export async function makeCall(
  db: Knex,
  o: { operatorId?: number | null; startedAt?: string; durationSec?: number; language?: string; category?: string; dropped?: boolean; regionId?: number | null; recordingId?: number | null; services?: string; externalId?: string; channel?: 'voice' | 'video' } = {},
) {
  const n = next();
  const startedAt = o.startedAt ?? new Date(Date.now() - 86400000).toISOString();
  const now = new Date().toISOString();
  return insertReturningId(db, 'calls', {
    source: 'telephony',
    external_id: o.externalId ?? `ext-${n}-${Math.random().toString(36).slice(2, 8)}`,
    started_at: startedAt,
    call_date: tashkentDate(startedAt),
    duration_sec: o.durationSec ?? 95,
    operator_id: o.operatorId ?? null,
    caller_number: '+998901234567',
    language: o.language ?? 'uz',
    channel: o.channel ?? 'voice',
    category: o.category ?? 'medical',
    services: o.services ?? '103',
    region_id: o.regionId ?? null,
    dropped: o.dropped ?? false,
    recording_id: o.recordingId ?? null,
    created_at: now,
    updated_at: now,
  });
}
