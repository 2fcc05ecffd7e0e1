import { expect } from 'chai';
import pino from 'pino';
import type { TestApp } from '../../helpers/app';
import { createTestDb, testConfig, type TestDb } from '../../helpers/app';
import { makeUser } from '../../helpers/builders';
import { JobQueue } from '../../../src/jobs/queue';
import { rubricsFeature, rubricVersionForCall, getRubricVersion } from '../../../src/features/rubrics';
import * as service from '../../../src/features/rubrics/rubrics.service';
import { DEFAULT_RUBRIC_CODES, DEFAULT_RUBRIC_NAME } from '../../../src/features/rubrics/default-rubric';
import { flattenCriteria } from '../../../src/features/rubrics/rubric.model';
import { makeRubric, rubricsApp, smallDefinition } from './rubric-helpers';

describe('rubric versions and the rubric a call is evaluated with', () => {
  describe('the default rubric at start-up', () => {
    let testDb: TestDb;
    before(async () => {
      testDb = await createTestDb();
    });
    after(() => testDb.destroy());

    const deps = () => {
      const logger = pino({ level: 'silent' });
      const clock = () => new Date('2026-11-25T07:00:00Z');
      return { config: testConfig(), db: testDb.db, logger, clock, jobs: new JobQueue(testDb.db, { concurrency: 1, logger, clock }) };
    };

    it('is created published and default on an empty database, in every start mode (not only demo)', async () => {
      await rubricsFeature.bootstrap!(deps());
      const rubrics = await testDb.db('rubrics').select();
      expect(rubrics).to.have.length(1);
      expect(rubrics[0]).to.include({ name: DEFAULT_RUBRIC_NAME.uz, call_category: null });
      expect(Boolean(rubrics[0].is_default)).to.equal(true);
      const versions = await testDb.db('rubric_versions').select();
      expect(versions).to.have.length(1);
      expect(versions[0]).to.include({ status: 'published', version_no: 1, published_at: '2026-11-25T07:00:00.000Z' });
      const definition = JSON.parse(versions[0].definition);
      expect(flattenCriteria(definition).map((c) => c.code)).to.deep.equal(DEFAULT_RUBRIC_CODES);
      expect(definition.sections[0].criteria[0].text.ru).to.be.a('string').and.not.empty;
    });

    it('is not created a second time at the next start, nor two starts at once', async () => {
      await Promise.all([rubricsFeature.bootstrap!(deps()), rubricsFeature.bootstrap!(deps())]);
      await rubricsFeature.bootstrap!(deps());
      expect(await testDb.db('rubrics').select()).to.have.length(1);
      expect(await testDb.db('rubric_versions').select()).to.have.length(1);
    });

    it('is not re-created once administrators have changed it', async () => {
      const admin = await makeUser(testDb.db, { role: 'admin' });
      const [{ id }] = await testDb.db('rubrics').select('id');
      await service.updateRubricSettings(testDb.db, Number(id), { name: 'Our own name', description: '', callCategory: '', isDefault: '1' }, { actorId: admin.id, clock: () => new Date() });
      await rubricsFeature.bootstrap!(deps());
      const names = (await testDb.db('rubrics').select('name')).map((r) => r.name);
      expect(names).to.deep.equal(['Our own name']);
    });
  });

  describe('rubricVersionForCall() and getRubricVersion()', () => {
    let t: TestApp;
    let adminId: number;
    let defaultVersionId: number;
    before(async () => {
      t = await rubricsApp();
      adminId = (await makeUser(t.db, { role: 'admin' })).id;
      defaultVersionId = Number((await t.db('rubric_versions').where({ status: 'published' }).first()).id);
    });
    after(() => t.close());

    it('gives the default rubric for a call without a category or with an unbound one', async () => {
      for (const category of [null, undefined, '', 'unknown-category']) {
        const chosen = await rubricVersionForCall(t.db, category);
        expect(chosen?.versionId, String(category)).to.equal(defaultVersionId);
        expect(flattenCriteria(chosen!.definition)).to.have.length(19);
      }
    });

    it('gives the rubric bound to the call category once it is published, and its newest published version', async () => {
      const { rubricId, versionId } = await makeRubric(t, adminId, { callCategory: 'medical' });
      expect((await rubricVersionForCall(t.db, 'medical'))?.versionId, 'draft only: the default applies').to.equal(defaultVersionId);
      await service.publishDraft(t.db, rubricId, versionId, { actorId: adminId, clock: t.clock });
      expect(await rubricVersionForCall(t.db, 'medical')).to.deep.equal({ rubricId, versionId, definition: smallDefinition() });
      const { versionId: v2 } = await service.openDraft(t.db, rubricId, { actorId: adminId, clock: t.clock });
      expect((await rubricVersionForCall(t.db, 'medical'))?.versionId, 'an open draft changes nothing').to.equal(versionId);
      await service.editDraft(t.db, rubricId, v2, { op: 'removeCriterion', code: 'OPEN-2' }, { actorId: adminId, clock: t.clock });
      await service.publishDraft(t.db, rubricId, v2, { actorId: adminId, clock: t.clock });
      const chosen = await rubricVersionForCall(t.db, 'medical');
      expect(chosen?.versionId).to.equal(v2);
      expect(flattenCriteria(chosen!.definition).map((c) => c.code)).to.deep.equal(['OPEN-1', 'ROUTE-1']);
    });

    it('reads back any version, retired ones included, exactly as it was scored on', async () => {
      const { rubricId, versionId } = await makeRubric(t, adminId, { name: 'Versioned', publish: true });
      const { versionId: v2 } = await service.openDraft(t.db, rubricId, { actorId: adminId, clock: t.clock });
      await service.editDraft(t.db, rubricId, v2, { op: 'removeSection', key: 'section-2' }, { actorId: adminId, clock: t.clock });
      await service.publishDraft(t.db, rubricId, v2, { actorId: adminId, clock: t.clock });
      const v1 = await getRubricVersion(t.db, versionId);
      expect(v1).to.include({ id: versionId, rubricId, versionNo: 1, status: 'retired', rubricName: 'Versioned' });
      expect(v1!.definition).to.deep.equal(smallDefinition());
      expect((await getRubricVersion(t.db, v2))!.status).to.equal('published');
      expect(await getRubricVersion(t.db, 987654)).to.equal(null);
    });

    it('never has two published versions of one rubric', async () => {
      const rows: { rubric_id: number; n: unknown }[] = await t.db('rubric_versions').where({ status: 'published' }).groupBy('rubric_id').select('rubric_id').count({ n: '*' });
      expect(rows.length).to.be.greaterThan(2);
      for (const r of rows) expect(Number(r.n), `rubric ${r.rubric_id}`).to.equal(1);
    });
  });
});
