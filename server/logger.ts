import { pino, type Logger } from 'pino';

/** Secrets never reach the logs: these paths are censored wherever they appear. */
export const redactPaths = [
  'password',
  '*.password',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'body.password',
  'body._csrf',
];

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, redact: { paths: redactPaths, censor: '[redacted]' }, base: { app: 'storelink' } });
}

export const logger: Logger = createLogger(process.env.NODE_ENV === 'test' ? (process.env.LOG_LEVEL ?? 'silent') : undefined);
