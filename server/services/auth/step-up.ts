import { Staff } from '../../models/staff.js';
import { Organization } from '../../models/organization.js';
import { UnauthenticatedError, ValidationError } from '../../errors.js';
import type { ServiceContext } from '../context.js';
import { toObjectId } from '../ids.js';
import { verifyPassword } from './passwords.js';
import { recordAudit } from '../audit/record-audit.js';
import { effectiveSettings } from '../../domain/settings.js';
import { assertLoginAllowed, recordLoginFailure } from './login-throttle.js';

/**
 * The "confirm your password" step-up for sensitive actions (exports, revealing personal data, changing limits).
 * Wrong answers count against the same throttle as logins, so it cannot be used to guess passwords.
 */
export async function confirmPassword(ctx: ServiceContext, password: string): Promise<Date> {
  const staff = await Staff.findOne({ _id: toObjectId(ctx.actor.id), orgId: toObjectId(ctx.orgId), status: 'active' });
  if (!staff) throw new UnauthenticatedError('Not signed in');
  await assertLoginAllowed(staff.login, ctx.ip ?? 'unknown');
  if (!(await verifyPassword(staff.passwordHash, password))) {
    await recordLoginFailure(staff.login, ctx.ip ?? 'unknown');
    throw new ValidationError({ password: ['wrong_password'] }, 'Wrong password.');
  }
  await recordAudit(ctx, 'auth.step_up', { type: 'staff', id: ctx.actor.id });
  return new Date();
}

export async function stepUpWindowMs(ctx: ServiceContext): Promise<number> {
  const org = await Organization.findById(toObjectId(ctx.orgId)).lean();
  return effectiveSettings(org?.settings).stepUpMinutes * 60_000;
}
