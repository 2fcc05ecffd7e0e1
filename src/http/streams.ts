// Long-lived event streams (Server-Sent Events, e.g. the live board) need two things from the
// platform whatever feature serves them: nginx must not buffer them (`X-Accel-Buffering: no` on
// every text/event-stream response), and a stopping instance must end them so browsers reconnect
// to another one (a shutdown hook ends every stream still open). Features just answer with
// `Content-Type: text/event-stream`; they may still register their own hook to say goodbye first.
import type { RequestHandler, Response } from 'express';
import type { Lifecycle } from '../lifecycle';

export function eventStreams(lifecycle?: Lifecycle): RequestHandler {
  const open = new Set<Response>();
  lifecycle?.onShutdown('event streams', () => {
    for (const res of open) res.end();
    open.clear();
  });
  return (_req, res, next) => {
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => Response;
    res.writeHead = ((...args: unknown[]) => {
      const headerArg = args.find((a) => a && typeof a === 'object' && !Array.isArray(a)) as Record<string, unknown> | undefined;
      const type = String(res.getHeader('content-type') ?? headerArg?.['content-type'] ?? headerArg?.['Content-Type'] ?? '');
      if (type.startsWith('text/event-stream')) {
        res.setHeader('X-Accel-Buffering', 'no');
        open.add(res);
        res.once('close', () => open.delete(res));
      }
      return writeHead(...args);
    }) as Response['writeHead'];
    next();
  };
}
