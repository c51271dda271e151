import argon2 from 'argon2';
import { passwordHashing } from '../../domain/settings.js';

export const passwordPolicy = { minLength: 8, maxLength: 128 } as const;

export function hashPassword(password: string): Promise<string> {
  const cost = process.env.NODE_ENV === 'test' ? passwordHashing.test : passwordHashing.standard;
  return argon2.hash(password, { type: argon2.argon2id, ...cost });
}

// A hash of a random password, verified when no account matches, so both paths take the same time.
let dummyHash: Promise<string> | undefined;

export async function verifyPassword(hash: string | undefined, password: string): Promise<boolean> {
  if (!hash) {
    dummyHash ??= hashPassword(crypto.randomUUID());
    await argon2.verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return argon2.verify(hash, password).catch(() => false);
}
