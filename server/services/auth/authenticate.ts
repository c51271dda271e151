import { Staff, type StaffDoc } from '../../models/staff.js';
import { UnauthenticatedError } from '../../errors.js';
import { verifyPassword } from './passwords.js';
import { assertLoginAllowed, clearLoginFailures, recordLoginFailure } from './login-throttle.js';
import { recordAudit } from '../audit/record-audit.js';
import { actorOf } from './actor.js';

/**
 * Checks a login and password, with throttling. Unknown login, wrong password and a deactivated account
 * all answer the same way, so the answer does not reveal which logins exist.
 */
export async function authenticateWithPassword(input: { login: string; password: string; ip: string }): Promise<StaffDoc> {
  const login = input.login.trim().toLowerCase();
  await assertLoginAllowed(login, input.ip);
  const staff = await Staff.findOne({ login }).setOptions({ allOrgs: true });
  const ok = await verifyPassword(staff?.passwordHash, input.password);
  if (!staff || !ok || staff.status !== 'active') {
    await recordLoginFailure(login, input.ip);
    if (staff) {
      await recordAudit(
        { orgId: String(staff.orgId), actor: actorOf(staff), ip: input.ip },
        'auth.login_failed',
        { type: 'staff', id: String(staff._id) },
        {
          reason: ok ? 'inactive' : 'password',
        },
      );
    }
    throw new UnauthenticatedError('Wrong login or password.', { messageKey: 'errors.bad_credentials' });
  }
  await clearLoginFailures(login);
  await Staff.updateOne({ _id: staff._id, orgId: staff.orgId }, { $set: { lastLoginAt: new Date() } });
  return staff;
}
