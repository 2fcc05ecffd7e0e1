// A small Server-Sent Events reader for Node (the tests and `npm run bench:live` watch boards with
// it): signs in like a browser, opens /live/stream with a Last-Event-ID, and hands over messages.
import http from 'node:http';

export interface SseMessage {
  id: string | null;
  event: string;
  data: string;
}

export interface SseConnection {
  close(): void;
  closed: Promise<void>;
  /** the response's HTTP status (0 when the request failed): anything but 200 is not a stream (e.g. a 302 to sign-in) */
  status: Promise<number>;
}

/** Signs in through the login form; returns the session cookie. */
export async function signInCookie(baseUrl: string, username: string, password: string): Promise<string> {
  const page = await fetch(`${baseUrl}/login`);
  const cookie0 = (page.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
  const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const res = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie0 },
    body: new URLSearchParams({ username, password, _csrf: csrf }).toString(),
  });
  const set = (res.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]);
  if (res.status !== 302 || !set.length) throw new Error(`sign-in as ${username} failed: ${res.status}`);
  return set.join('; ');
}

/** Opens a stream; every complete message goes to onMessage. */
export function openStream(url: string, cookie: string, onMessage: (m: SseMessage) => void, lastEventId?: string | null): SseConnection {
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  let resolveStatus!: (n: number) => void;
  const status = new Promise<number>((r) => (resolveStatus = r));
  const headers: Record<string, string> = { accept: 'text/event-stream', cookie };
  if (lastEventId) headers['last-event-id'] = lastEventId;
  const req = http.get(url, { headers, agent: false }, (res) => {
    resolveStatus(res.statusCode ?? 0);
    res.setEncoding('utf8');
    let buf = '';
    res.on('data', (chunk: string) => {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const m: SseMessage = { id: null, event: 'message', data: '' };
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const [k, ...rest] = line.split(':');
          const v = rest.join(':').replace(/^ /, '');
          if (k === 'id') m.id = v;
          else if (k === 'event') m.event = v;
          else if (k === 'data') data.push(v);
        }
        if (data.length) {
          m.data = data.join('\n');
          onMessage(m);
        }
      }
    });
    res.on('end', resolveClosed);
    res.on('close', resolveClosed);
  });
  req.on('error', () => {
    resolveStatus(0);
    resolveClosed();
  });
  return { close: () => req.destroy(), closed, status };
}
