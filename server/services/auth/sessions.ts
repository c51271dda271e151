import { Staff, type StaffDoc } from '../../models/staff.js';
import { mongoose } from '../../db/connect.js';

/** What a browser session keeps about its staff member. */
export type SessionUser = { id: string; orgId: string; v: number };

export function sessionUserOf(staff: StaffDoc): SessionUser {
  return { id: String(staff._id), orgId: String(staff.orgId), v: staff.authVersion };
}

/**
 * Loads the staff member behind a session on every request: a deactivated account or a reset password
 * (a new authVersion) ends the session at the next request, with no list of sessions to chase.
 */
export async function staffForSession(user: SessionUser): Promise<StaffDoc | null> {
  if (!mongoose.isValidObjectId(user.id) || !mongoose.isValidObjectId(user.orgId)) return null;
  const staff = await Staff.findOne({ _id: user.id, orgId: user.orgId });
  if (!staff || staff.status !== 'active' || staff.authVersion !== user.v) return null;
  return staff;
}
