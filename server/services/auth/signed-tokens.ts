import crypto from 'node:crypto';
import { clock } from '../../clock.js';

/**
 * Signed tokens for people without an account (a chat visitor, a group member on the customer page):
 * `<id>.<version>.<expires>.<hmac>`. They need no storage and survive restarts; raising the record's version
 * revokes every token issued before.
 */
let rootSecret: string | null = null;

/** The app gives the root secret at start (the session secret); each purpose derives its own key from it. */
export function configureSignedTokens(secret: string): void {
  rootSecret = secret;
}

export type TokenSigner = {
  issue(id: string, version: number, days: number): string;
  /** The same token for the same id, version and expiry: a link can be shown again without issuing a new one. */
  issueUntil(id: string, version: number, expiresAt: Date): string;
  /** The id and version a token names, if its signature and expiry hold; null otherwise. */
  read(token: unknown): { id: string; version: number } | null;
};

export function tokenSigner(purpose: string): TokenSigner {
  let key: { root: string; bytes: Buffer } | null = null;
  const sign = (payload: string) => {
    if (!rootSecret) throw new Error('signed tokens are not configured');
    if (key?.root !== rootSecret) key = { root: rootSecret, bytes: crypto.createHash('sha256').update(`${purpose}:${rootSecret}`).digest() };
    return crypto.createHmac('sha256', key.bytes).update(payload).digest('base64url');
  };
  const issueUntil = (id: string, version: number, expiresAt: Date) => {
    const payload = `${id}.${version}.${expiresAt.getTime()}`;
    return `${payload}.${sign(payload)}`;
  };
  return {
    issue: (id, version, days) => issueUntil(id, version, new Date(clock.now().getTime() + days * 86_400_000)),
    issueUntil,
    read(token) {
      if (typeof token !== 'string' || token.length > 200) return null;
      const parts = token.split('.');
      if (parts.length !== 4) return null;
      const [id, version, expires, signature] = parts as [string, string, string, string];
      const expected = sign(`${id}.${version}.${expires}`);
      if (signature.length !== expected.length || !crypto.timingSafeEqual(Buffer.from(signature), Buffer.from(expected))) return null;
      if (!(Number(expires) >= clock.now().getTime()) || !/^[0-9a-f]{24}$/.test(id)) return null;
      return { id, version: Number(version) };
    },
  };
}
