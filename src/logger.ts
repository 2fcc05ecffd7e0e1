import pino, { Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({
    level,
    // Never log secrets, even by accident.
    redact: { paths: ['password', '*.password', 'req.headers.cookie', 'req.headers.authorization', 'headers.authorization', 'token', '*.token'], censor: '***' },
  });
}
