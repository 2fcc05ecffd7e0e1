// What a load balancer and Prometheus read: /healthz (alive), /readyz (database, migrations,
// recording store, not draining) and /metrics (jobs, latency by route pattern, recordings bytes,
// features' own gauges), the latter only with the token or from an allowed address.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router } from 'express';
import { expect } from 'chai';
import request from 'supertest';
import { FEATURES } from '../../../src/features';
import { createTestApp, signIn, type TestApp } from '../../helpers/app';
import { makeCall, makeOperator, makeUser } from '../../helpers/builders';

describe('health and readiness', () => {
  let t: TestApp;
  afterEach(() => t.close());

  it('/healthz answers alive without asking the database; /readyz says the database, migrations and recording store are ready', async () => {
    t = await createTestApp();
    const health = await request(t.app).get('/healthz');
    expect(health.status).to.equal(200);
    expect(health.body).to.deep.equal({ status: 'ok' });
    const ready = await request(t.app).get('/readyz');
    expect(ready.status).to.equal(200);
    expect(ready.body).to.deep.equal({ status: 'ready', checks: { database: 'ok', migrations: 'ok', recordings: 'ok' } });
    expect(fs.readdirSync(t.config.recordingsDir).filter((f) => f.startsWith('.readyz')), 'the probe file is removed').to.have.length(0);
  });

  it('/readyz is 503 when the recording store cannot be written, and names it', async () => {
    const file = path.join(os.tmpdir(), `sifat-not-a-dir-${process.pid}`);
    fs.writeFileSync(file, 'x');
    try {
      t = await createTestApp({ config: { recordingsDir: path.join(file, 'recordings') } });
      const ready = await request(t.app).get('/readyz');
      expect(ready.status).to.equal(503);
      expect(ready.body.checks).to.deep.equal({ database: 'ok', migrations: 'ok', recordings: 'not writable' });
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it('/readyz is 503 while a migration is pending', async () => {
    t = await createTestApp();
    const last = await t.db('knex_migrations').orderBy('id', 'desc').first();
    await t.db('knex_migrations').where({ id: last.id }).del();
    const ready = await request(t.app).get('/readyz');
    expect(ready.status).to.equal(503);
    expect(ready.body.checks.migrations).to.equal('pending');
  });

  it('/readyz turns 503 "draining" as soon as shutdown begins, while /healthz stays alive, and shutdown hooks run newest first', async () => {
    t = await createTestApp();
    const ran: string[] = [];
    t.lifecycle.onShutdown('first', () => void ran.push('first'));
    const remove = t.lifecycle.onShutdown('gone', () => void ran.push('gone'));
    t.lifecycle.onShutdown('live streams', async () => void ran.push('live streams'));
    t.lifecycle.onShutdown('broken', () => {
      throw new Error('a hook that fails does not stop the others');
    });
    remove();
    t.lifecycle.beginStopping();
    const ready = await request(t.app).get('/readyz');
    expect(ready.status).to.equal(503);
    expect(ready.body.status).to.equal('draining');
    expect((await request(t.app).get('/healthz')).status).to.equal(200);
    await t.lifecycle.shutdown();
    expect(ran).to.deep.equal(['live streams', 'first']);
  });
});

describe('event streams (Server-Sent Events) and shutdown', () => {
  let t: TestApp;
  after(() => t.close());

  it('an event stream is sent unbuffered through nginx and ended when the instance shuts down, so the browser reconnects elsewhere', async () => {
    const streamFeature = {
      name: 'test-stream',
      routes: () =>
        Router().get('/test/stream', (_req, res) => {
          res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' });
          res.write('data: hello\n\n');
        }),
    };
    t = await createTestApp({ features: [...FEATURES, streamFeature] });
    const server = t.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const { port } = server.address() as AddressInfo;
      const { headers, ended } = await new Promise<{ headers: http.IncomingHttpHeaders; ended: Promise<string> }>((resolve, reject) => {
        http.get({ host: '127.0.0.1', port, path: '/test/stream' }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          resolve({ headers: res.headers, ended: new Promise((r) => res.on('end', () => r(body))) });
        }).on('error', reject);
      });
      expect(headers['content-type']).to.equal('text/event-stream');
      expect(headers['x-accel-buffering']).to.equal('no');
      await t.lifecycle.shutdown();
      expect(await ended).to.equal('data: hello\n\n');
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('metrics (/metrics, Prometheus text)', () => {
  let t: TestApp;
  afterEach(() => t.close());

  it('gives jobs by type and status, the oldest queued job\'s age, request latency by route pattern, recordings bytes and features\' gauges', async () => {
    t = await createTestApp();
    await t.jobs.enqueue('media.prepare', { recordingId: 1 }, { runAfter: new Date(Date.now() - 42_000) });
    await t.jobs.enqueue('media.prepare', { recordingId: 2 });
    const failed = await t.jobs.enqueue('digests.send', { digestId: 1 });
    await t.db('jobs').where({ id: failed }).update({ status: 'failed' });
    await t.db('recordings').insert({ sha256: 'a'.repeat(64), storage_key: 'aa/x.wav', original_name: 'x.wav', size_bytes: 160_000, format: 'wav', codec: 'pcm_mulaw', sample_rate: 8000, channels: 2, duration_sec: 10, status: 'stored', created_at: new Date().toISOString(), updated_at: new Date().toISOString() });
    const lag = t.metrics.gauge({ name: 'sifat_test_board_lag_seconds', help: 'a feature\'s own gauge', collect() { this.set(0.25); } });
    expect(t.metrics.gauge({ name: 'sifat_test_board_lag_seconds', help: 'asked for twice' })).to.equal(lag);
    const u = await makeUser(t.db, { role: 'specialist' });
    const op = await makeOperator(t.db);
    const callId = await makeCall(t.db, { operatorId: op });
    const { agent } = await signIn(t.app, u.username, u.password);
    await agent.get(`/calls/${callId}`);
    await agent.get('/calls/999999999');

    const res = await request(t.app).get('/metrics');
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.match(/^text\/plain/);
    const text = res.text;
    expect(text).to.contain('sifat_jobs{type="media.prepare",status="queued"} 2');
    expect(text).to.contain('sifat_jobs{type="digests.send",status="failed"} 1');
    const age = Number(/^sifat_jobs_oldest_queued_age_seconds (\S+)$/m.exec(text)?.[1]);
    expect(age).to.be.within(41, 60);
    expect(text).to.contain('sifat_recordings_stored_bytes 160000');
    expect(text).to.contain('sifat_test_board_lag_seconds 0.25');
    expect(text).to.match(/sifat_http_request_duration_seconds_count\{method="GET",route="\/calls\/:id",status="2xx"\} 1/);
    expect(text).to.match(/sifat_http_request_duration_seconds_count\{method="GET",route="\/calls\/:id",status="4xx"\} 1/);
    expect(text, 'never a raw URL with an id').not.to.contain(`/calls/${callId}"`);
    expect(text).not.to.contain('999999999');
  });

  it('is refused to other addresses (404: not advertised) unless they send the token; a wrong token is 401', async () => {
    t = await createTestApp({ config: { trustProxy: true, metrics: { token: 'a-long-metrics-token-0123', allow: ['127.0.0.1', '::1', '10.0.0.0/8'] } } });
    // Behind nginx every request comes from the proxy's address: the client is the forwarded one.
    expect((await request(t.app).get('/metrics').set('X-Forwarded-For', '203.0.113.7')).status).to.equal(404);
    expect((await request(t.app).get('/metrics').set('X-Forwarded-For', '10.1.2.3')).status, 'an allowed range').to.equal(200);
    expect((await request(t.app).get('/metrics').set('X-Forwarded-For', '203.0.113.7').set('Authorization', 'Bearer wrong-token-wrong-token')).status).to.equal(401);
    const ok = await request(t.app).get('/metrics').set('X-Forwarded-For', '203.0.113.7').set('Authorization', 'Bearer a-long-metrics-token-0123');
    expect(ok.status).to.equal(200);
    expect(ok.text).to.contain('sifat_jobs_oldest_queued_age_seconds');
  });

  it('with an empty allow-list and no token nobody reads it', async () => {
    t = await createTestApp({ config: { metrics: { token: null, allow: [] } } });
    expect((await request(t.app).get('/metrics')).status).to.equal(404);
  });
});
