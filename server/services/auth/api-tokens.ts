import crypto from 'node:crypto';
import { ApiToken, type ApiTokenDoc } from '../../models/api-token.js';
import { Staff, type StaffDoc } from '../../models/staff.js';
import { NotFoundError } from '../../errors.js';
import { authorize } from '../../policies/permissions.js';
import type { ServiceContext } from '../context.js';
import { toObjectId } from '../ids.js';
import { recordAudit } from '../audit/record-audit.js';
import { authenticateWithPassword } from './authenticate.js';
import { actorOf } from './actor.js';

const TOKEN_PREFIX = 'slk_';

function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

/** Creates a token for the acting staff member. The plain token is returned once and never stored. */
export async function createApiToken(ctx: ServiceContext, input: { name: string }): Promise<{ token: string; id: string }> {
  authorize(ctx.actor, 'token.manage_own');
  const staff = await Staff.findOne({ _id: toObjectId(ctx.actor.id), orgId: toObjectId(ctx.orgId), status: 'active' }, { authVersion: 1 }).lean();
  if (!staff) throw new NotFoundError('No such staff member');
  const token = TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
  const doc = await ApiToken.create({
    orgId: toObjectId(ctx.orgId),
    staffId: toObjectId(ctx.actor.id),
    name: input.name,
    tokenHash: hashToken(token),
    prefix: token.slice(0, TOKEN_PREFIX.length + 6),
    authVersion: staff.authVersion,
  });
  await recordAudit(ctx, 'token.create', { type: 'api_token', id: String(doc._id) }, { name: input.name });
  return { token, id: String(doc._id) };
}

export async function createApiTokenWithPassword(input: { login: string; password: string; name: string; ip: string }) {
  const staff = await authenticateWithPassword(input);
  return createApiToken({ orgId: String(staff.orgId), actor: actorOf(staff), ip: input.ip }, { name: input.name });
}

/** The actor's tokens; `superseded` marks those a password reset or deactivation ended, so none is listed as working. */
export async function listOwnApiTokens(ctx: ServiceContext): Promise<(ApiTokenDoc & { superseded: boolean })[]> {
  authorize(ctx.actor, 'token.manage_own');
  const filter = { orgId: toObjectId(ctx.orgId), staffId: toObjectId(ctx.actor.id) };
  const [tokens, staff] = await Promise.all([
    ApiToken.find(filter).sort({ createdAt: -1 }).lean<ApiTokenDoc[]>(),
    Staff.findOne({ _id: filter.staffId, orgId: filter.orgId }, { authVersion: 1 }).lean(),
  ]);
  return tokens.map((token) => ({ ...token, superseded: (token.authVersion ?? 0) !== staff?.authVersion }));
}

export async function revokeApiToken(ctx: ServiceContext, tokenId: string): Promise<void> {
  authorize(ctx.actor, 'token.manage_own');
  const result = await ApiToken.updateOne(
    { _id: toObjectId(tokenId, 'token'), orgId: toObjectId(ctx.orgId), staffId: toObjectId(ctx.actor.id), revokedAt: null },
    { $set: { revokedAt: new Date() } },
  );
  if (result.matchedCount === 0) throw new NotFoundError('No such token');
  await recordAudit(ctx, 'token.revoke', { type: 'api_token', id: tokenId });
}

const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * The active staff member a bearer token belongs to, or null for an unknown, revoked or orphaned token, or one made
 * before the staff member's latest password reset or deactivation (reactivation does not lower authVersion, so it
 * revives no token). Tokens stored before they carried a version count as version 0.
 */
export async function staffForBearerToken(token: string): Promise<StaffDoc | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const record = await ApiToken.findOne({ tokenHash: hashToken(token), revokedAt: null })
    .setOptions({ allOrgs: true })
    .lean();
  if (!record) return null;
  const staff = await Staff.findOne({ _id: record.staffId, orgId: record.orgId, status: 'active', authVersion: record.authVersion ?? 0 });
  if (!staff) return null;
  // Writing on every request would turn each API read into a write; a minute's precision is enough.
  if (!record.lastUsedAt || Date.now() - record.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await ApiToken.updateOne({ _id: record._id, orgId: record.orgId }, { $set: { lastUsedAt: new Date() } });
  }
  return staff;
}
