// Test data for the call-events tests: an API token, an operator, and events built with defaults.
import request from 'supertest';
import type { Knex } from 'knex';
import type { Express } from 'express';
import { createApiToken } from '../../../src/features/calls/api-tokens.service';
import { makeOperator, makeTeam, makeUser } from '../../helpers/builders';

let n = 0;

export async function makeFloor(db: Knex) {
  const admin = await makeUser(db, { role: 'admin' });
  const supervisor = await makeUser(db, { role: 'supervisor' });
  const teamId = await makeTeam(db, { supervisorUserId: supervisor.id });
  const code = `LV-${++n}${Math.random().toString(36).slice(2, 5)}`;
  const operatorId = await makeOperator(db, { teamId, code });
  const { token } = await createApiToken({ db, clock: () => new Date() }, { name: `platform ${n}` }, { userId: admin.id });
  return { admin, supervisor, teamId, operatorCode: code, operatorId, token };
}

/** A unique id prefix per test, so events and calls never collide between tests. */
export function ids(prefix = 'ev') {
  const base = `${prefix}-${++n}-${Math.random().toString(36).slice(2, 7)}`;
  let i = 0;
  return { event: () => `${base}-e${++i}`, call: (s = '') => `${base}-c${s}` };
}

export function at(baseIso: string, plusSec: number): string {
  return new Date(Date.parse(baseIso) + plusSec * 1000).toISOString();
}

export function postEvents(app: Express, token: string | null, body: unknown) {
  const r = request(app).post('/api/v1/events');
  if (token) r.set('Authorization', `Bearer ${token}`);
  return r.send(body as object);
}

export async function count(db: Knex, table: string): Promise<number> {
  const r = await db(table).count({ n: '*' }).first();
  return Number(r?.n ?? 0);
}

export const CARD = (o: { notes?: string; number?: string } = {}) => `<?xml version="1.0" encoding="UTF-8"?>
<CallCard>
  <CardNumber>${o.number ?? 'K-1'}</CardNumber>
  <Caller><Phone>+998901112233</Phone></Caller>
  <Incident><Type>medical</Type></Incident>
  <Location><Address>Navoiy ko'chasi 5</Address><Coordinates lat="41.31" lon="69.28"/></Location>
  <Dispatch><Service code="103"/></Dispatch>
  ${o.notes === undefined ? '' : `<OperatorNotes>${o.notes}</OperatorNotes>`}
</CallCard>`;
