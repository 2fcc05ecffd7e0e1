// A small service for the plans HTTP tests: people, duty, rules and calls on Tashkent days.
import type { Knex } from 'knex';
import { makeCall, makeOperator, makeTeam, makeUser } from '../../helpers/builders';
import * as repo from '../../../src/features/plans/plans.repository';
import type { PlanRulesInput } from '../../../src/features/plans/plan-rules';
import { tashkentToUtc } from '../../../src/time';
import { insertReturningId } from '../../../src/db';

/** 2026-11-20 10:00 in Tashkent (05:00Z): "today" for most tests. */
export const TODAY = '2026-11-20';
export const YESTERDAY = '2026-11-19';
export const at = (date: string, time = '10:00') => tashkentToUtc(date, time);

export async function makePeople(db: Knex) {
  const admin = await makeUser(db, { role: 'admin' });
  const supervisor = await makeUser(db, { role: 'supervisor' });
  const otherSupervisor = await makeUser(db, { role: 'supervisor' });
  const leadership = await makeUser(db, { role: 'leadership' });
  const specialistA = await makeUser(db, { role: 'specialist', displayName: 'Specialist A' });
  const specialistB = await makeUser(db, { role: 'specialist', displayName: 'Specialist B' });
  const team = await makeTeam(db, { supervisorUserId: supervisor.id });
  const otherTeam = await makeTeam(db, { supervisorUserId: otherSupervisor.id });
  return { admin, supervisor, otherSupervisor, leadership, specialistA, specialistB, team, otherTeam };
}

export async function putOnDuty(db: Knex, userId: number, capacity = 10, languages = ['uz', 'ru']) {
  await repo.upsertDuty(db, userId, { onDuty: true, capacity, languages });
}

export async function makeRules(db: Knex, rules: PlanRulesInput, o: { name?: string; isActive?: boolean } = {}) {
  return repo.insertRuleSet(db, { name: o.name ?? 'Test rules', rules, isActive: o.isActive ?? true, updatedBy: null });
}

let recordingSeq = 0;
/** A recording's row (no file): a draw only takes calls with a usable recording. */
export async function makeRecording(db: Knex, status: 'stored' | 'preparing' | 'ready' | 'failed' = 'ready'): Promise<number> {
  const sha = `${(++recordingSeq).toString(16)}${Math.random().toString(16).slice(2)}`.padEnd(64, '0').slice(0, 64);
  const now = new Date().toISOString();
  return insertReturningId(db, 'recordings', { sha256: sha, storage_key: `${sha.slice(0, 2)}/${sha.slice(2, 4)}/${sha}`, size_bytes: 1000, duration_sec: 95, status, created_at: now, updated_at: now });
}

/** `count` calls of an operator on a Tashkent day, a minute apart from 11:00, each with a recording unless `recordingId` is given (null: none). */
export async function makeCallsOn(db: Knex, operatorId: number, date: string, count: number, o: Parameters<typeof makeCall>[1] = {}) {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const recordingId = o.recordingId !== undefined ? o.recordingId : await makeRecording(db);
    ids.push(await makeCall(db, { operatorId, startedAt: new Date(at(date, '11:00').getTime() + i * 60000).toISOString(), ...o, recordingId }));
  }
  return ids;
}

export async function makeOperators(db: Knex, teamId: number, n: number) {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) ids.push(await makeOperator(db, { teamId }));
  return ids;
}
