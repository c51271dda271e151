import type { ApiTokenDoc } from '../models/api-token.js';

export function presentToken(token: ApiTokenDoc & { superseded?: boolean }) {
  return {
    id: String(token._id),
    name: token.name,
    prefix: token.prefix,
    createdAt: token.createdAt.toISOString(),
    lastUsedAt: token.lastUsedAt ? token.lastUsedAt.toISOString() : null,
    revokedAt: token.revokedAt ? token.revokedAt.toISOString() : null,
    active: !token.revokedAt && !token.superseded,
  };
}
