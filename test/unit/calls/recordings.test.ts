import { expect } from 'chai';
import { combinePreparationState, peaksResponse, prepareDedupeKey } from '../../../src/features/calls/recordings.service';
import { PEAKS_FORMAT, type WaveformPeaks } from '../../../src/features/media/peaks-format';

const job = (status: 'queued' | 'running' | 'done' | 'failed', o: { attempts?: number; lastError?: string | null } = {}) => ({ status, attempts: o.attempts ?? 1, maxAttempts: 4, lastError: o.lastError ?? null });

describe('recording preparation state (what the call page shows)', () => {
  it('ready when the recording says so, whatever the job', () => {
    expect(combinePreparationState({ status: 'ready', prepareError: null }, job('failed')).status).to.equal('ready');
  });

  it('follows the job while the recording is not ready', () => {
    const rec = { status: 'stored' as const, prepareError: null };
    expect(combinePreparationState(rec, null).status).to.equal('none');
    expect(combinePreparationState(rec, job('queued')).status).to.equal('queued');
    expect(combinePreparationState({ status: 'preparing', prepareError: null }, job('running')).status).to.equal('running');
    expect(combinePreparationState(rec, job('done')).status).to.equal('none');
  });

  it('a retry waiting in the queue still shows the last error', () => {
    const s = combinePreparationState({ status: 'stored', prepareError: { key: 'calls.prepare.error', params: { detail: 'ffmpeg crashed' } } }, job('queued', { attempts: 2 }));
    expect(s).to.deep.include({ status: 'queued', attempts: 2, maxAttempts: 4 });
    expect(s.error?.params.detail).to.equal('ffmpeg crashed');
  });

  it('failed with the media module\'s reason, or "could not be prepared" (never the job\'s raw error text) when the recording has none', () => {
    const reason = { key: 'media.rejected.corrupt', params: { detail: 'truncated' } };
    expect(combinePreparationState({ status: 'failed', prepareError: reason }, job('failed')).error).to.deep.equal(reason);
    expect(combinePreparationState({ status: 'stored', prepareError: null }, job('failed', { lastError: 'ffmpeg: disk full' })).error).to.deep.equal({ key: 'calls.prepare.error', params: {} });
    expect(combinePreparationState({ status: 'failed', prepareError: reason }, null).status).to.equal('failed');
  });

  it('names the job by recording', () => {
    expect(prepareDedupeKey(42)).to.equal('prepare:recording:42');
  });
});

describe('peaks for wavesurfer', () => {
  const peaks = (length: number, channels = 2): WaveformPeaks => ({
    format: PEAKS_FORMAT,
    sampleRate: 8000,
    samplesPerPixel: 80,
    bits: 8,
    channels,
    length,
    data: Array.from({ length: channels }, (_, c) => Int8Array.from({ length: length * 2 }, (_, i) => (i % 2 === 0 ? -64 - c : 127))),
  });

  it('gives each point its min and max per channel, scaled to -1..1', () => {
    const r = peaksResponse(peaks(3), 0.03);
    expect(r).to.deep.include({ duration: 0.03, channels: 2, peaksPerSecond: 200 });
    expect(r.peaks[0]).to.deep.equal([-0.5, 0.992, -0.5, 0.992, -0.5, 0.992]);
    expect(r.peaks[1]![0]).to.equal(-0.508);
  });

  it('merges points of a long call to stay under the cap, keeping the extremes', () => {
    const p = peaks(1000, 1);
    (p.data[0] as Int8Array)[2 * 500] = -128;
    const r = peaksResponse(p, 10, 100);
    expect(r.peaks[0]).to.have.length(100);
    expect(r.peaksPerSecond).to.equal(10);
    expect(Math.min(...r.peaks[0]!)).to.equal(-1);
    expect(r.peaks[0]!.length / r.duration).to.equal(r.peaksPerSecond);
  });

  it('falls back to the peaks\' own length for the duration', () => {
    expect(peaksResponse(peaks(100), null).duration).to.equal(1);
  });
});
