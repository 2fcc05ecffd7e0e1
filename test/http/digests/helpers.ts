// Shared set-up for the digest tests: an app on a movable clock with an organisation and errors.
import ExcelJS from 'exceljs';
import { expect } from 'chai';
import { createTestApp, signIn, TestApp } from '../../helpers/app';
import type { Config } from '../../../src/config';
import { syncErrorsForEvaluation } from '../../../src/features/errors/errors.service';
import { makeOrganisation, makeFailedEvaluation, Organisation } from '../errors/builders';

export const BASE_URL = 'https://sifat.example.uz';

export interface DigestWorld {
  t: TestApp;
  org: Organisation;
  clock: { now: Date; advance(ms: number): void };
}

/** Now is 2026-05-12 10:00 in Tashkent (a Tuesday). */
export async function digestWorld(config: Partial<Config> = {}, supervisorLanguage: 'uz' | 'ru' | 'en' = 'ru'): Promise<DigestWorld> {
  const clock = { now: new Date('2026-05-12T05:00:00Z'), advance(ms: number) { this.now = new Date(this.now.getTime() + ms); } };
  const t = await createTestApp({ clock: () => clock.now, config: { appBaseUrl: BASE_URL, smtpFrom: 'Sifat <sifat@test.local>', ...config } });
  const org = await makeOrganisation(t.db, { supervisorLanguage, supervisorEmail: 'bobur@example.uz' });
  return { t, org, clock };
}

/** An evaluation submitted on a Tashkent day (10:00 there) failing some criteria, synced to errors. */
export async function failedOn(w: DigestWorld, day: string, o: Parameters<typeof makeFailedEvaluation>[2] = {}) {
  const submittedAt = new Date(`${day}T05:00:00Z`).toISOString();
  const ev = await makeFailedEvaluation(w.t.db, w.org, { submittedAt, ...o });
  await syncErrorsForEvaluation(w.t.db, ev.evaluationId, () => new Date(submittedAt));
  return ev;
}

export async function readWorkbook(buffer: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buffer as unknown as ArrayBuffer);
  return wb;
}

/** A sheet's rows as arrays of cell texts (hyperlinks as their address). */
export function sheetRows(ws: ExcelJS.Worksheet): string[][] {
  const out: string[][] = [];
  ws.eachRow((row) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell) => {
      const v = cell.value as unknown;
      cells.push(v && typeof v === 'object' && 'hyperlink' in (v as object) ? String((v as { hyperlink: string }).hyperlink) : v == null ? '' : String(v));
    });
    out.push(cells);
  });
  return out;
}

/** The supervisor asks for a digest of their own (e-mailed unless `send` is false); returns its id. */
export async function requestDigest(w: DigestWorld, o: { from?: string; to?: string; send?: boolean } = {}): Promise<number> {
  const { agent, csrf } = await signIn(w.t.app, w.org.supervisor.username, w.org.supervisor.password);
  const res = await agent.post('/digests').type('form').send({ _csrf: await csrf(), scope: `supervisor:${w.org.supervisor.id}`, from: o.from ?? '2026-05-01', to: o.to ?? '2026-05-07', send: o.send === false ? '' : '1' });
  expect(res.status).to.equal(302);
  return Number(res.headers.location.split('/').pop());
}
