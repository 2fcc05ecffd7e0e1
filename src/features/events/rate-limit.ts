// A flood from one API token is refused with 429 and Retry-After: a token bucket per token and
// instance (requests refill at `ratePerSecond`, up to `burst` at once). In memory: a restart
// forgives, and each instance counts its own share.
import type { RequestHandler } from 'express';
import { AppError } from '../../http/errors';

export class TokenBuckets {
  private buckets = new Map<number, { tokens: number; at: number }>();
  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Takes one request's token; returns 0 when allowed, else the seconds until one is free. Pure but for the clock. */
  take(key: number): number {
    const t = this.now();
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: t };
    b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.ratePerSecond);
    b.at = t;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.ratePerSecond));
  }
}

/** After requireApiToken: 429 events.api.tooManyRequests with Retry-After when the token's bucket is empty. */
export function rateLimitByToken(buckets: TokenBuckets): RequestHandler {
  return (req, res, next) => {
    const wait = buckets.take(req.apiTokenId ?? 0);
    if (!wait) return next();
    res.set('Retry-After', String(wait));
    next(new AppError(429, 'events.api.tooManyRequests', { seconds: wait }));
  };
}
