// The import run against a real database (SQLite in memory, or PostgreSQL with TEST_DATABASE_URL)
// and real files: good rows stored, bad rows listed with reasons, re-runs idempotent.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { createTestDb, type TestDb } from '../../helpers/app';
import { makeOperator } from '../../helpers/builders';
import { synthesizeCallWav, resolveStored } from '../../../src/features/media';
import { checkManifest, executeImport, ImportRun, runFolderImport, type ImportDeps } from '../../../src/features/imports/imports.service';
import { folderLocator } from '../../../src/features/imports/imports.files';
import { ManifestError } from '../../../src/features/imports/imports.manifest';
import * as repo from '../../../src/features/imports/imports.repository';

describe('imports: running an import', function () {
  this.timeout(30000);
  let tdb: TestDb;
  let dir: string;
  let deps: ImportDeps;
  const clock = () => new Date('2026-11-25T08:00:00Z');

  before(async () => {
    tdb = await createTestDb();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sifat-import-run-'));
    deps = { db: tdb.db, clock, config: { recordingsDir: path.join(dir, 'store'), maxUploadBytes: 50 * 1024 * 1024, maxRecordingSeconds: 3600, ffmpegPath: null, ffprobePath: null } };
    await makeOperator(tdb.db, { code: 'OP-101' });
    await makeOperator(tdb.db, { code: 'OP-102' });
  });
  after(async () => {
    await tdb.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  let n = 0;
  /** A folder with a manifest and the given files; returns paths. */
  function folder(csv: string, files: Record<string, Buffer | string> = {}) {
    const f = path.join(dir, `case-${++n}`);
    fs.mkdirSync(f, { recursive: true });
    for (const [name, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(f, name)), { recursive: true });
      fs.writeFileSync(path.join(f, name), content);
    }
    const manifest = path.join(f, 'manifest.csv');
    fs.writeFileSync(manifest, csv);
    return { folder: f, manifest };
  }

  async function run(csv: string, files: Record<string, Buffer | string> = {}) {
    const { folder: f, manifest } = folder(csv, files);
    return new ImportRun(deps, { importId: null, manifestPath: manifest, recordings: await folderLocator(f) }).run();
  }

  const calls = (prefix: string) => tdb.db('calls').where('external_id', 'like', `${prefix}%`).orderBy('external_id').select();

  it('stores the good rows and lists each bad row with its row number, column and reason', async () => {
    const csv = [
      'external_id;started_at;operator_code;language;channel;region;category',
      'MIX-1;2026-11-20 09:00:00;OP-101;uz;voice;TK;medical',
      'MIX-2;2026-11-20 09:05:00;OP-404;uz;voice;TK;medical',
      'MIX-3;2026-11-31 09:10:00;OP-101;uz;voice;TK;medical',
      'MIX-1;2026-11-20 09:15:00;OP-102;uz;voice;TK;medical',
      'MIX-5;2026-11-20 09:20:00;OP-101;uz;voice;Atlantida;medical',
      'MIX-6;2026-11-20 09:25:00;OP-101;latin;voice;TK;medical',
      'MIX-7;2026-11-20 09:30:00;OP-101;ru;pigeon;TK;medical',
      'MIX-8;2026-11-20 09:35:00;op-102;ru;video;Samarqand viloyati;fire',
    ].join('\n');
    const out = await run(csv);
    expect(out.counts).to.deep.include({ totalRows: 8, acceptedCount: 2, alreadyCount: 0, rejectedCount: 6 });
    expect(out.rejectedRows.map((r) => [r.row, r.externalId, r.column, r.key])).to.deep.equal([
      [3, 'MIX-2', 'operator_code', 'imports.reject.unknownOperator'],
      [4, 'MIX-3', 'started_at', 'imports.reject.badDate'],
      [5, 'MIX-1', 'external_id', 'imports.reject.duplicateInFile'],
      [6, 'MIX-5', 'region', 'imports.reject.unknownRegion'],
      [7, 'MIX-6', 'language', 'imports.reject.unknownLanguage'],
      [8, 'MIX-7', 'channel', 'imports.reject.unknownChannel'],
    ]);
    expect(out.rejectedRows[2]!.params).to.deep.equal({ firstRow: 2 });
    const stored = await calls('MIX-');
    expect(stored.map((c) => c.external_id)).to.deep.equal(['MIX-1', 'MIX-8']);
    expect(stored[0]).to.include({ started_at: '2026-11-20T04:00:00.000Z', call_date: '2026-11-20', language: 'uz', channel: 'voice', category: 'medical' });
    expect(stored[1]).to.include({ channel: 'video', category: 'fire' });
  });

  it('refuses a manifest missing required columns as a whole, naming them, and stores nothing', async () => {
    const { folder: f, manifest } = folder('external_id,caller_number\nREF-1,+998901234567\n');
    const err = await checkManifest(manifest).catch((e) => e);
    expect(err).to.be.instanceOf(ManifestError);
    expect(err.key).to.equal('imports.manifest.missingColumns');
    expect(err.params.columns).to.equal('started_at, operator_code');
    const runErr = await new ImportRun(deps, { importId: null, manifestPath: manifest, recordings: await folderLocator(f) }).run().catch((e) => e);
    expect(runErr).to.be.instanceOf(ManifestError);
    expect(await calls('REF-')).to.have.length(0);
  });

  it('re-running the same manifest adds nothing twice; the same id with other data is a conflict', async () => {
    const csv = 'external_id,started_at,operator_code,category,extra.card\nIDEM-1,2026-11-20 10:00:00,OP-101,fire,Карта-1\nIDEM-2,2026-11-20 10:05:00,OP-102,gas,\n';
    const first = await run(csv);
    expect(first.counts).to.deep.include({ acceptedCount: 2, alreadyCount: 0, rejectedCount: 0 });
    const second = await run(csv);
    expect(second.counts).to.deep.include({ acceptedCount: 0, alreadyCount: 2, rejectedCount: 0 });
    expect(await calls('IDEM-')).to.have.length(2);
    const changed = await run('external_id,started_at,operator_code,category,extra.card\nIDEM-1,2026-11-20 10:00:00,OP-102,fire,Карта-2\nIDEM-2,2026-11-20 10:05:00,OP-102,gas,\n');
    expect(changed.counts).to.deep.include({ acceptedCount: 0, alreadyCount: 1, rejectedCount: 1 });
    expect(changed.rejectedRows[0]).to.deep.include({ row: 2, key: 'imports.reject.conflict', params: { columns: 'operator_code, extra.card' } });
    const stored = await calls('IDEM-1');
    expect(stored[0].extra).to.equal(JSON.stringify({ card: 'Карта-1' }));
  });

  it('links a callback to a call earlier or later in the file, and rejects one to a call that exists nowhere', async () => {
    const csv = 'external_id,started_at,operator_code,callback_of\nCB-2,2026-11-20 11:05:00,OP-101,CB-1\nCB-1,2026-11-20 11:00:00,OP-101,\nCB-3,2026-11-20 11:10:00,OP-101,CB-2\nCB-4,2026-11-20 11:15:00,OP-101,CB-404\n';
    const out = await run(csv);
    expect(out.counts).to.deep.include({ acceptedCount: 3, rejectedCount: 1 });
    expect(out.rejectedRows).to.deep.equal([{ row: 5, externalId: 'CB-4', column: 'callback_of', key: 'imports.reject.callbackUnknown', params: { value: 'CB-404' } }]);
    const byExt = Object.fromEntries((await calls('CB-')).map((c) => [c.external_id, c]));
    expect(Number(byExt['CB-2'].callback_of_call_id)).to.equal(Number(byExt['CB-1'].id));
    expect(Number(byExt['CB-3'].callback_of_call_id)).to.equal(Number(byExt['CB-2'].id));
  });

  it('stores a named recording once, content-addressed, and refuses a missing file, a file that is not audio and a path out of the folder', async () => {
    const wav = synthesizeCallWav({ seed: 3, durationSec: 2 });
    const csv = [
      'external_id,started_at,operator_code,recording_file',
      'REC-1,2026-11-20 12:00:00,OP-101,yozuvlar/запись-1.wav',
      'REC-2,2026-11-20 12:05:00,OP-101,yozuvlar/yoʻq.wav',
      'REC-3,2026-11-20 12:10:00,OP-101,notes.wav',
      'REC-4,2026-11-20 12:15:00,OP-101,../manifest.csv',
      'REC-5,2026-11-20 12:20:00,OP-102,copy.wav',
    ].join('\n');
    const out = await run(csv, { 'yozuvlar/запись-1.wav': wav, 'notes.wav': 'this is a text file, not a recording\n', 'copy.wav': wav });
    expect(out.rejectedRows.map((r) => [r.externalId, r.key, r.params])).to.deep.equal([
      ['REC-2', 'imports.reject.recording.missing', { file: 'yozuvlar/yoʻq.wav' }],
      ['REC-3', 'imports.reject.recording.notAudio', { file: 'notes.wav' }],
      ['REC-4', 'imports.reject.recording.badPath', { file: '../manifest.csv' }],
    ]);
    expect(out.counts).to.deep.include({ acceptedCount: 2, rejectedCount: 3, recordingsStored: 1 });
    const stored = await calls('REC-');
    expect(stored.map((c) => c.external_id)).to.deep.equal(['REC-1', 'REC-5']);
    expect(stored[0].recording_id).to.not.equal(null);
    expect(Number(stored[0].recording_id)).to.equal(Number(stored[1].recording_id));
    // No duration column: the call's length is the recording's measured length.
    expect(Number(stored[0].duration_sec)).to.be.closeTo(2, 0.01);
    expect(Number(stored[1].duration_sec)).to.be.closeTo(2, 0.01);
    const rec = await tdb.db('recordings').where({ id: stored[0].recording_id }).first();
    expect(rec).to.include({ status: 'stored', channels: 2, sample_rate: 8000, codec: 'pcm_mulaw' });
    // Two rows name the same bytes: one recording, named after whichever row stored it first.
    expect(rec.original_name).to.be.oneOf(['запись-1.wav', 'copy.wav']);
    expect(fs.readFileSync(resolveStored(deps.config.recordingsDir, rec.storage_key)).equals(wav)).to.equal(true);
    // Nothing transcoded or analysed at import time.
    expect(rec.rendition_key).to.equal(null);
    expect(rec.peaks_key).to.equal(null);
  });

  it('the same id with a different recording is a conflict; the same recording is already imported, even when the file is not sent again', async () => {
    const a = synthesizeCallWav({ seed: 21, durationSec: 1 });
    const b = synthesizeCallWav({ seed: 22, durationSec: 1 });
    const csv = 'external_id,started_at,operator_code,recording_file\nSWAP-1,2026-11-20 13:00:00,OP-101,a.wav\n';
    expect((await run(csv, { 'a.wav': a })).counts).to.deep.include({ acceptedCount: 1 });
    expect((await run(csv, { 'a.wav': a })).counts).to.deep.include({ alreadyCount: 1, rejectedCount: 0 });
    expect((await run(csv, {})).counts).to.deep.include({ alreadyCount: 1, rejectedCount: 0 });
    const swapped = await run(csv, { 'a.wav': b });
    expect(swapped.counts).to.deep.include({ alreadyCount: 0, rejectedCount: 1 });
    expect(swapped.rejectedRows[0]).to.deep.include({ key: 'imports.reject.conflict', params: { columns: 'recording_file' } });
  });

  it('executeImport records who, what and how it went in the imports table; runFolderImport checks its paths first', async () => {
    const { folder: f, manifest } = folder('external_id,started_at,operator_code,note\nREC-T-1,2026-11-20 14:00:00,OP-101,x\nREC-T-2,bad,OP-101,y\n');
    const imp = await runFolderImport(deps, { folder: f, manifestPath: manifest, actor: 'cli:test' });
    expect(imp).to.deep.include({ status: 'done', origin: 'cli', actor: 'cli:test', totalRows: 2, acceptedCount: 1, rejectedCount: 1, progress: 100 });
    expect(imp.ignoredColumns).to.deep.equal(['note']);
    expect(imp.rejectedRows).to.deep.equal([{ row: 3, externalId: 'REC-T-2', column: 'started_at', key: 'imports.reject.badDate', params: { value: 'bad' } }]);
    const [call] = await calls('REC-T-1');
    expect(Number(call.import_id)).to.equal(imp.id);
    expect(await repo.countImportedCalls(tdb.db, imp.id)).to.equal(1);

    const noFolder = await runFolderImport(deps, { folder: path.join(dir, 'nowhere'), manifestPath: manifest }).catch((e) => e);
    expect(noFolder).to.be.instanceOf(ManifestError).with.property('key', 'imports.cli.folderNotFound');
    const noManifest = await runFolderImport(deps, { folder: f, manifestPath: path.join(f, 'nope.csv') }).catch((e) => e);
    expect(noManifest).to.be.instanceOf(ManifestError).with.property('key', 'imports.cli.manifestNotFound');
  });

  it('a CSV broken half-way fails the import with its reason and still stores every good row before the break', async () => {
    const good = Array.from({ length: 1200 }, (_, i) => `BRK-${i},2026-11-20 15:00:00,OP-101`).join('\n');
    const { folder: f, manifest } = folder(`external_id,started_at,operator_code\n${good}\nBRK-X,"2026-11-20 15:00:00,OP-101\n`);
    const id = await repo.insertImport(tdb.db, { fileName: 'broken.csv', origin: 'cli', createdBy: null, actor: 'test', defaultSource: 'telephony', recordingFiles: 0 });
    const imp = await executeImport(deps, id, { manifestPath: manifest, recordings: await folderLocator(f), defaultSource: 'telephony' });
    expect(imp.status).to.equal('failed');
    expect(imp.errorKey).to.equal('imports.manifest.csvError');
    expect(imp.acceptedCount).to.equal(1200);
    expect(await calls('BRK-')).to.have.length(1200);
  });
});
