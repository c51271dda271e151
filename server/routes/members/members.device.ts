import type { Request, Response } from 'express';
import { socialLimits } from '../../domain/settings.js';
import { MEMBER_COOKIE } from './members.schema.js';
import { pageOf } from './members.view.js';

/**
 * What the customer's browser keeps: her token in an HTTP-only cookie scoped to her page of this brand (and its
 * pictures), so other pages of the brand (the invite page) never receive it; and receipts of the groups it joined.
 */

type Http = { req: Request; res: Response };

function cookieOptions(req: Request, orgId: string) {
  return { httpOnly: true, sameSite: 'lax' as const, secure: req.secure, path: pageOf(orgId), maxAge: socialLimits.memberTokenDays * 86_400_000 };
}

export function rememberDevice({ req, res }: Http, orgId: string, token: string): void {
  res.cookie(MEMBER_COOKIE, token, cookieOptions(req, orgId));
}

export function forgetDevice({ req, res }: Http, orgId: string): void {
  const { maxAge: _maxAge, ...options } = cookieOptions(req, orgId);
  res.clearCookie(MEMBER_COOKIE, options);
}

const JOIN_RECEIPTS = 5;

/** This browser joined the group with a number already known: it may see which group it joined, nothing more. */
export function keepJoinReceipt({ req }: Http, receipts: string[], groupId: string): void {
  req.session.joinedGroupIds = [...receipts.filter((id) => id !== groupId), groupId].slice(-JOIN_RECEIPTS);
}
