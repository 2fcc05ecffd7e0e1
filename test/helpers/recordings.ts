// A prepared synthetic recording and its call, for tests that play or draw it (peaks, facts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestApp } from './app';
import { makeCall } from './builders';
import { storeRecording, synthesizeCallWav } from '../../src/features/media';
import { insertRecording } from '../../src/features/calls/recordings.repository';
import { prepareRecording } from '../../src/features/calls/recordings.service';

/** A prepared synthetic stereo call (operator left, caller right) of this operator: the call's id. */
export async function preparedCall(t: TestApp, operatorId: number, o: { seed: number; durationSec: number; holds?: number }): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sifat-prepared-'));
  try {
    const file = path.join(dir, 'call.wav');
    fs.writeFileSync(file, synthesizeCallWav({ seed: o.seed, durationSec: o.durationSec, holds: o.holds }));
    const stored = await storeRecording(file, t.config.recordingsDir);
    const recordingId = await insertRecording(t.db, {
      sha256: stored.sha256, storageKey: stored.storageKey, originalName: 'call.wav', sizeBytes: stored.sizeBytes, format: 'wav', codec: 'pcm_mulaw',
      sampleRate: 8000, channels: 2, durationSec: o.durationSec, mimeType: 'audio/wav', hasVideo: false,
    });
    await prepareRecording(t, recordingId);
    return makeCall(t.db, { operatorId, recordingId, durationSec: o.durationSec, category: 'medical' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
