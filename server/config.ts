import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { z } from 'zod';
import { dataDir } from './paths.js';

/** The default of REQUEST_TIME_LIMIT_MS (see `Config.requestTimeLimitMs`). */
export const DEFAULT_REQUEST_TIME_LIMIT_MS = 10_000;

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
    .optional(),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  SEED_DEMO: z.enum(['auto', 'always', 'never']).default('auto'),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional(),
  MAIL_FROM: z.string().optional(),
  APP_URL: z.string().url().optional(),
  REQUEST_TIME_LIMIT_MS: z.coerce.number().int().min(100).max(300_000).default(DEFAULT_REQUEST_TIME_LIMIT_MS),
});

export type Config = {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  mongodbUri: string | undefined;
  sessionSecret: string;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  /** Behind a TLS-terminating proxy: trust X-Forwarded-* and send cookies as Secure. */
  trustProxy: boolean;
  seedDemo: 'auto' | 'always' | 'never';
  /** Optional: digests are also e-mailed when set (smtp://user:pass@host:port). */
  smtpUrl: string | undefined;
  mailFrom: string | undefined;
  /** The address staff open, for links in e-mails. */
  appUrl: string | undefined;
  /**
   * How long the server works on one HTTP request or socket event before it answers 503 (`timeout`, or
   * `database_unavailable` while the database is unreachable) with `Retry-After` instead of leaving the client waiting.
   */
  requestTimeLimitMs: number;
};

/** What `Retry-After` says when the service (the database) is unavailable: a short wait, then try again. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

export class ConfigError extends Error {}

/** In development the secret is generated once and kept, so sessions survive restarts. */
function developmentSessionSecret(): string {
  const file = path.join(dataDir(), 'session-secret');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(dataDir(), { recursive: true });
  const secret = crypto.randomBytes(48).toString('base64url');
  fs.writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  let sessionSecret = e.SESSION_SECRET;
  if (!sessionSecret) {
    if (e.NODE_ENV === 'production') throw new ConfigError('SESSION_SECRET is required when NODE_ENV=production (at least 32 characters).');
    sessionSecret = e.NODE_ENV === 'test' ? crypto.randomBytes(48).toString('base64url') : developmentSessionSecret();
  }
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    mongodbUri: e.MONGODB_URI,
    sessionSecret,
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY,
    seedDemo: e.SEED_DEMO,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    appUrl: e.APP_URL,
    requestTimeLimitMs: e.REQUEST_TIME_LIMIT_MS,
  };
}
