// A call's recording over HTTP: the audio (with Range, audited once per listening), the
// waveform peaks, and the Retry button of a failed preparation.
import fs from 'node:fs/promises';
import type { Request, Response } from 'express';
import type { AppDeps } from '../../app-context';
import { audit } from '../../audit/audit';
import { AppError, ConflictError, ForbiddenError, NotFoundError } from '../../http/errors';
import { flash, idParam, wantsJson } from '../../http/guards';
import { canHearCall, canViewCall, startsListening } from './calls.policy';
import * as repo from './calls.repository';
import { viewerOf } from './calls.controller';
import * as recRepo from './recordings.repository';
import { resolveStored } from '../media/store';
import { isRecordingPurged } from '../retention/retention.service';
import { ensureRecordingPrepared, peaksOverview, peaksResponse, playableFile, readPeaks } from './recordings.service';

export function recordingsController(deps: AppDeps) {
  /**
   * Keeps what this response sends of the recording (audio_deliveries): the range about to go out
   * is recorded before the first byte, then corrected to what was really written when the response
   * ends — so the heard share an evaluation stores never exceeds the audio this user fetched.
   * HEAD requests and unsatisfiable ranges send no audio and are not recorded.
   */
  async function trackDelivery(req: Request, res: Response, o: { callId: number; recording: recRepo.Recording; file: { path: string; isRendition: boolean } }): Promise<void> {
    if (req.method !== 'GET') return;
    let size: number;
    try {
      size = (await fs.stat(o.file.path)).size;
    } catch {
      return; // sendFile answers the missing file
    }
    const ranges = size > 0 ? req.range(size, { combine: true }) : undefined;
    if (ranges === -1) return;
    // send() honours a single range; anything else gets the whole file.
    const single = Array.isArray(ranges) && ranges.length === 1 && ranges.type === 'bytes' ? ranges[0] : null;
    const start = single ? single.start : 0;
    const end = single ? single.end + 1 : size;
    const id = await recRepo.insertAudioDelivery(
      deps.db,
      { userId: req.user!.id, callId: o.callId, recordingId: o.recording.id, rendition: o.file.isRendition, byteStart: start, byteEnd: end, sizeBytes: size, durationSec: o.recording.durationSec },
      deps.clock().toISOString(),
    );
    let sent = 0;
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (chunk) sent += Buffer.byteLength(chunk as Buffer);
      return write(chunk, ...rest);
    }) as Response['write'];
    res.once('close', () => {
      const from = res.statusCode === 206 ? start : 0;
      recRepo.settleAudioDelivery(deps.db, id, from, Math.min(size, from + sent)).catch((err) => deps.logger.warn({ err }, 'audio delivery: could not record what was sent'));
    });
  }

  /** The call's recording when the viewer may hear it: 404 no call / no recording, 403 not theirs. */
  async function audibleRecording(req: Request) {
    const scope = await repo.findCallScope(deps.db, idParam(req));
    if (!scope) throw new NotFoundError('calls.show.notFound');
    if (!canHearCall(viewerOf(req), scope)) throw new ForbiddenError();
    const recording = scope.recordingId ? await recRepo.findRecording(deps.db, scope.recordingId) : null;
    if (!recording) throw new AppError(404, 'calls.audio.none');
    if (await isRecordingPurged(deps.db, recording.id)) throw new AppError(410, 'retention.purged.gone');
    return { callId: scope.id, recording };
  }

  /**
   * Not prepared yet (or its peaks file went missing): make sure it is on its way, and say so in JSON
   * whatever the Accept header, since only scripts ask for peaks.
   */
  async function peaksNotReady(req: Request, res: Response, recordingId: number): Promise<void> {
    await ensureRecordingPrepared(deps, recordingId);
    const err = new ConflictError('calls.peaks.notReady');
    res.status(409).set('Cache-Control', 'no-store').json({ error: { status: 409, key: err.key, message: req.t(err.key) } });
  }

  return {
    async audio(req: Request, res: Response) {
      const { callId, recording } = await audibleRecording(req);
      const file = await playableFile(deps.config, recording);
      const range = req.get('range');
      if (startsListening(req.method, await recRepo.lastListeningAt(deps.db, req.user!.id, callId), deps.clock())) {
        await audit(deps.db, { userId: req.user!.id, action: 'recording.play', entityType: 'call', entityId: callId, ip: req.ip, details: { recordingId: recording.id, rendition: file.isRendition, range: range ?? null } }, deps.clock);
      }
      // send() keeps a Content-Type already set: the stored names have no extension to guess from.
      // dotfiles 'allow': the path comes from a validated storage key, and RECORDINGS_DIR itself may
      // sit under a dot-folder (~/.local/…), which 'deny' would refuse.
      res.type(file.mimeType);
      await trackDelivery(req, res, { callId, recording, file });
      await new Promise<void>((resolve, reject) => {
        res.sendFile(file.path, { acceptRanges: true, cacheControl: false, lastModified: true, etag: true, dotfiles: 'allow', headers: { 'Cache-Control': 'private, no-store', 'X-Content-Type-Options': 'nosniff' } }, (err) => {
          // A listener who seeks or leaves aborts the transfer: not an error worth a 500.
          if (err && !res.headersSent) reject((err as { status?: number }).status === 404 ? new AppError(404, 'calls.audio.fileMissing') : err);
          else resolve();
        });
      });
    },

    async peaks(req: Request, res: Response) {
      const { recording } = await audibleRecording(req);
      const peaks = recording.status === 'ready' ? await readPeaks(deps.config, recording) : null;
      if (!peaks) {
        return peaksNotReady(req, res, recording.id);
      }
      res.set('Cache-Control', 'private, max-age=3600').json(peaksResponse(peaks, recording.durationSec));
    },

    /**
     * GET /calls/:id/peaks.dat — the peaks file as stored (audiowaveform .dat, 1.4 MB per stereo hour):
     * no JSON to build on the server, so a one-hour call's waveform arrives at disk speed.
     */
    async peaksDat(req: Request, res: Response) {
      const { recording } = await audibleRecording(req);
      if (recording.status !== 'ready' || !recording.peaksKey) {
        return peaksNotReady(req, res, recording.id);
      }
      await new Promise<void>((resolve, reject) => {
        res.sendFile(resolveStored(deps.config.recordingsDir, recording.peaksKey!), { headers: { 'Content-Type': 'application/octet-stream', 'Cache-Control': 'private, max-age=3600' } }, (err) => {
          if (err && !res.headersSent) reject((err as { status?: number }).status === 404 ? new AppError(404, 'calls.audio.fileMissing') : err);
          else resolve();
        });
      });
    },

    /**
     * GET /calls/:id/peaks-overview.dat — a coarse overview of the stored peaks (a few thousand points
     * per channel) for drawing the waveform at once; `X-Peaks-Reduced: 0` says it is the whole detail.
     */
    async peaksOverview(req: Request, res: Response) {
      const { recording } = await audibleRecording(req);
      if (recording.status !== 'ready' || !recording.peaksKey) {
        return peaksNotReady(req, res, recording.id);
      }
      let overview: { bytes: Uint8Array; reduced: boolean };
      try {
        overview = await peaksOverview(deps.config, recording.peaksKey);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new AppError(404, 'calls.audio.fileMissing');
        throw e;
      }
      res.set({ 'Content-Type': 'application/octet-stream', 'Cache-Control': 'private, max-age=3600', 'X-Peaks-Reduced': overview.reduced ? '1' : '0' });
      res.end(Buffer.from(overview.bytes.buffer, overview.bytes.byteOffset, overview.bytes.byteLength));
    },

    /** POST /calls/:id/prepare — the Retry button (also queues a call never prepared). */
    async prepare(req: Request, res: Response) {
      const id = idParam(req);
      const scope = await repo.findCallScope(deps.db, id);
      if (!scope) throw new NotFoundError('calls.show.notFound');
      if (!canViewCall(viewerOf(req), scope)) throw new ForbiddenError();
      if (!scope.recordingId) throw new AppError(404, 'calls.audio.none');
      const state = await ensureRecordingPrepared(deps, scope.recordingId, { retryFailed: true });
      await audit(deps.db, { userId: req.user!.id, action: 'recording.prepareRetry', entityType: 'call', entityId: id, ip: req.ip, details: { recordingId: scope.recordingId } }, deps.clock);
      if (wantsJson(req)) {
        res.status(202).json({ preparation: state });
        return;
      }
      flash(req, { type: 'info', key: state?.status === 'ready' ? 'calls.prepare.alreadyReady' : 'calls.prepare.queuedFlash' });
      res.redirect(`/calls/${id}`);
    },
  };
}
