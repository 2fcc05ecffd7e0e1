// POST /api/v1/events: a batch of call events from the telephony platform or the CRM (docs/api.md).
import type { Request, Response } from 'express';
import type { AppDeps } from '../../app-context';
import { AppError } from '../../http/errors';
import { ingestBatch } from './events.service';

export function eventsApiController(deps: AppDeps) {
  return {
    async ingest(req: Request, res: Response) {
      if (!req.is('application/json')) throw new AppError(415, 'events.api.unsupportedMediaType');
      const summary = await ingestBatch(deps, req.body, { apiTokenId: req.apiTokenId ?? null });
      res.status(summary.stored ? 201 : 200).json(summary);
    },
  };
}
