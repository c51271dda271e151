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

/**
 * JSON lines by default (production, tests, log collectors); `pretty` gives a developer's terminal one readable line
 * per entry (pino-pretty, in a worker thread). Redaction applies either way, before anything is written.
 */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', opts: { pretty?: boolean } = {}): Logger {
  const options = { level, redact: { paths: redactPaths, censor: '[redacted]' }, base: { app: 'storelink' } };
  if (!opts.pretty) return pino(options);
  return pino(options, pino.transport({ target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,app', singleLine: true } }));
}

export const logger: Logger = createLogger(process.env.NODE_ENV === 'test' ? (process.env.LOG_LEVEL ?? 'silent') : undefined);
