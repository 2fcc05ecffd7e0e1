// The telephony platform's door: POST /api/v1/calls (multipart: `metadata` JSON, `recording` file,
// optional `card` XML file), authenticated by an API token. See docs/api.md.
import fs from 'node:fs/promises';
import type { Request, RequestHandler, Response } from 'express';
import type { AppDeps } from '../../app-context';
import { AppError, ValidationError } from '../../http/errors';
import { cleanupUploads } from '../../http/uploads';
import { callsArrived } from '../facts/facts.service';
import { CALL_CARD_MAX_BYTES } from './call-card';
import { parseMetadataJson } from './calls.schema';
import * as service from './calls.service';

/** 415 unless the request is multipart/form-data (checked before any body is read). */
export const requireMultipart: RequestHandler = (req, _res, next) => {
  if (req.is('multipart/form-data')) return next();
  next(new AppError(415, 'calls.api.unsupportedMediaType'));
};

export function apiController(deps: AppDeps) {
  return {
    async createCall(req: Request, res: Response) {
      try {
        const files = (req.files as Record<string, Express.Multer.File[]> | undefined) ?? {};
        const recording = files.recording?.[0];
        const cardFile = files.card?.[0];
        const parsed = parseMetadataJson((req.body as Record<string, unknown>)?.metadata);
        const fields = parsed.ok ? [] : [...parsed.fields];
        if (!recording) fields.push({ field: 'recording', key: 'calls.api.recordingMissing' });
        if (fields.length || !parsed.ok) throw new ValidationError(fields);
        let card: Buffer | null = null;
        if (cardFile) {
          // Refuse an oversized card before reading it into memory.
          if (cardFile.size > CALL_CARD_MAX_BYTES) throw new AppError(400, 'calls.card.tooLarge', { maxKb: Math.floor(CALL_CARD_MAX_BYTES / 1024) });
          card = await fs.readFile(cardFile.path);
          if (card.length === 0) throw new AppError(400, 'calls.card.empty');
        }
        const result = await service.ingestCall(deps, {
          metadata: parsed.value,
          recording: { path: recording!.path, originalName: recording!.originalname },
          card,
          actor: { userId: null, apiTokenId: req.apiTokenId ?? null, ip: req.ip, via: 'api' },
        });
        // Facts on arrival: the recording is analysed and the call's facts computed in the background.
        if (result.outcome === 'created') await callsArrived(deps, { recordingIds: [result.recordingId] });
        res.status(result.outcome === 'created' ? 201 : 200).json({
          outcome: result.outcome,
          callId: result.callId,
          recordingId: result.recordingId,
          ...(result.cardAttached !== undefined ? { cardAttached: result.cardAttached } : {}),
          url: `${deps.config.appBaseUrl}/calls/${result.callId}`,
        });
      } finally {
        cleanupUploads(req);
      }
    },
  };
}
