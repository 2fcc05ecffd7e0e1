// Shared set-up of the rubric HTTP tests: an app with the features these pages need, signed-in
// agents per role, and rubrics built through the service as an administrator would.
import { expect } from 'chai';
import { createTestApp, signIn, type Agent, type TestApp } from '../../helpers/app';
import { makeUser } from '../../helpers/builders';
import type { Role } from '../../../src/auth/roles';
import type { Feature } from '../../../src/app-context';
import { authFeature } from '../../../src/features/auth';
import { homeFeature } from '../../../src/features/home';
import { usersFeature } from '../../../src/features/users';
import { rubricsFeature } from '../../../src/features/rubrics';
import * as service from '../../../src/features/rubrics/rubrics.service';
import type { RubricDefinition } from '../../../src/features/rubrics/rubric.model';
import { makeCriterion, makeDefinition } from '../../unit/rubrics/rubric-builders';

/** Sign-in, the home page (for CSRF tokens), users (nav) and rubrics: what these pages touch. */
export const RUBRIC_TEST_FEATURES: Feature[] = [authFeature, homeFeature, usersFeature, rubricsFeature];

export function rubricsApp(): Promise<TestApp> {
  return createTestApp({ features: RUBRIC_TEST_FEATURES });
}

export interface SignedIn {
  agent: Agent;
  csrf: () => Promise<string>;
  userId: number;
}

export async function signedIn(t: TestApp, role: Role): Promise<SignedIn> {
  const u = await makeUser(t.db, { role, language: 'en' });
  const s = await signIn(t.app, u.username, u.password);
  return { ...s, userId: u.id };
}

/** A small valid definition: two sections, three criteria (one critical, one a 0..3 scale). */
export function smallDefinition(): RubricDefinition {
  return makeDefinition(
    [makeCriterion({ code: 'OPEN-1' }), makeCriterion({ code: 'OPEN-2', answerType: 'scale', scaleMax: 3 })],
    [makeCriterion({ code: 'ROUTE-1', critical: true, points: 10 })],
  );
}

/** A rubric whose draft v1 holds the given definition (published when asked). */
export async function makeRubric(t: TestApp, actorId: number, o: { name?: string; callCategory?: string | null; definition?: RubricDefinition; publish?: boolean } = {}) {
  const ctx = { actorId, clock: t.clock };
  const { rubricId, versionId } = await service.createRubric(t.db, { name: o.name ?? `Rubric ${Math.random().toString(36).slice(2, 7)}`, description: '', callCategory: o.callCategory ?? '', isDefault: false }, ctx);
  const def = o.definition ?? smallDefinition();
  for (const s of def.sections) {
    await service.editDraft(t.db, rubricId, versionId, { op: 'addSection', section: { key: s.key, title: s.title } }, ctx);
    for (const c of s.criteria) await service.editDraft(t.db, rubricId, versionId, { op: 'addCriterion', sectionKey: s.key, criterion: { ...c } }, ctx);
  }
  if (o.publish) await service.publishDraft(t.db, rubricId, versionId, ctx);
  return { rubricId, versionId };
}

export interface StoredVersion {
  id: number;
  rubric_id: number;
  version_no: number;
  status: string;
  published_at: string | null;
  updated_at: string;
  definition: RubricDefinition;
}

/** A version row as stored, its definition parsed. */
export async function storedVersion(t: TestApp, versionId: number): Promise<StoredVersion> {
  const row = await t.db('rubric_versions').where({ id: versionId }).first();
  expect(row, `version ${versionId}`).to.exist;
  return { ...row, definition: JSON.parse(row.definition) as RubricDefinition };
}

export async function rubricCount(t: TestApp): Promise<number> {
  const r = await t.db('rubrics').count({ n: '*' }).first();
  return Number(r?.n ?? 0);
}

/** The visible text of a page (tags dropped, entities decoded, spaces collapsed), for asserting
 *  that a translated message is shown. */
export function textOf(html: string): string {
  return html
    .replace(/<(script|style|template)[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#34;|&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}
