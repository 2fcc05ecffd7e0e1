// The live board page, its Server-Sent Events stream, and taking a complex case from it.
import type { Request, Response } from 'express';
import type { AppDeps } from '../../app-context';
import { audit } from '../../audit/audit';
import { ForbiddenError, NotFoundError } from '../../http/errors';
import { flash, idParam } from '../../http/guards';
import { TAKE_ROLES, itemVisible, loadBoard, visibilityFor } from './board.service';
import { hubFor, type StreamClient } from './hub';
import * as repo from './live.repository';
import { renderBoard, renderFeedItem } from './render';

const HEARTBEAT_MS = 15000;

/** The sequence a reconnecting board last saw: the Last-Event-ID header, else ?lastEventId (the first connect). */
export function lastEventIdOf(header: string | undefined, query: unknown): number | null {
  const raw = header ?? (typeof query === 'string' ? query : undefined);
  if (raw === undefined || !/^\d{1,15}$/.test(raw.trim())) return null;
  return Number(raw.trim());
}

export function liveController(deps: AppDeps) {
  const { db, config } = deps;
  return {
    async board(req: Request, res: Response) {
      const v = await visibilityFor(db, req.user!);
      const directory = await repo.operatorDirectory(db);
      const [board, seq] = await Promise.all([loadBoard(db, config, deps.clock(), v, directory), repo.maxSeq(db)]);
      const canTake = TAKE_ROLES.includes(req.user!.role);
      const feed = v.aggregatesOnly ? [] : (await repo.eventsBefore(db, seq, 400)).filter((r) => itemVisible(v, r.operatorId)).slice(-30).reverse();
      res.renderPage('live/board', {
        title: req.t('live.title'),
        scripts: ['live-board'],
        wall: req.query.wall === '1',
        boardHtml: await renderBoard(board, req.lang, { canTake, csrf: res.locals.csrfToken() }),
        feedHtml: feed.map((r) => renderFeedItem(r, req.lang, directory)),
        aggregatesOnly: v.aggregatesOnly,
        seq,
      });
    },

    async stream(req: Request, res: Response) {
      const v = await visibilityFor(db, req.user!);
      const hub = hubFor(deps);
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        // no-store: the board names callers' calls and operators (shared PCs); no-transform: no proxy rewrites it.
        'Cache-Control': 'no-cache, no-store, no-transform',
        Connection: 'keep-alive',
        // nginx and similar proxies pass the stream through instead of buffering it.
        'X-Accel-Buffering': 'no',
      });
      res.write('retry: 3000\n\n');
      const client: StreamClient = { visibility: v, lang: req.lang, canTake: TAKE_ROLES.includes(req.user!.role), lastSent: 0, write: (s) => void res.write(s) };
      const beat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
      beat.unref();
      req.on('close', () => {
        clearInterval(beat);
        hub.remove(client);
      });
      await hub.add(client, lastEventIdOf(req.get('last-event-id'), req.query.lastEventId));
      if (res.destroyed) hub.remove(client);
    },

    async takeComplex(req: Request, res: Response) {
      const id = idParam(req);
      const found = await repo.findComplexCase(db, id);
      if (!found) throw new NotFoundError();
      const v = await visibilityFor(db, req.user!);
      if (found.operatorId !== null && v.operatorIds && !v.operatorIds.has(found.operatorId)) throw new ForbiddenError();
      const now = deps.clock().toISOString();
      const taken = await repo.takeComplexCase(db, id, req.user!.id, now);
      if (taken) await audit(db, { userId: req.user!.id, action: 'complexCase.take', entityType: 'call', entityId: found.callId, ip: req.ip, details: { complexCaseId: id } }, deps.clock);
      flash(req, { type: taken ? 'success' : 'info', key: taken ? 'live.complex.takenFlash' : 'live.complex.alreadyTaken' });
      hubFor(deps).invalidate();
      res.redirect(req.body?.wall === '1' ? '/live?wall=1' : '/live');
    },
  };
}
