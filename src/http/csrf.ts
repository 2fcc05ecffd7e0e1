// CSRF protection: a per-session token (synchronizer pattern) on every state-changing request.
// Forms carry it as _csrf; fetch() sends it as the x-csrf-token header.
import { csrfSync } from 'csrf-sync';
import type { Request } from 'express';
import { AppError } from './errors';

const { generateToken, csrfSynchronisedProtection } = csrfSync({
  getTokenFromRequest: (req: Request) => {
    const header = req.headers['x-csrf-token'];
    if (typeof header === 'string' && header) return header;
    const body = req.body as Record<string, unknown> | undefined;
    return typeof body?._csrf === 'string' ? body._csrf : undefined;
  },
  errorConfig: { statusCode: 403, message: 'csrf', code: 'EBADCSRFTOKEN' },
});

export { generateToken as csrfToken };

export const csrfProtection = csrfSynchronisedProtection;

export class CsrfError extends AppError {
  constructor() {
    super(403, 'http.csrf.text');
  }
}
