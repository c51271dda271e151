import type { RouteSpec } from '../../http/gate.js';
import type { StaffDoc } from '../../models/staff.js';
import { api } from '../../http/surfaces.js';
import { presentStaff } from '../../presenters/staff.js';
import * as staff from './staff.endpoints.js';
import { staffListPayload } from './staff.view.js';

const present = (member: StaffDoc) => presentStaff(member);

/** /api/v1/staff. */
export const staffApiRoutes: RouteSpec[] = [
  api.get('/staff', staff.listStaffApi, { present: (list, { ctx }) => staffListPayload(ctx, list) }),
  api.post('/staff', staff.addStaff, { status: 201, present }),
  api.get('/staff/:id', staff.showStaff, { present }),
  api.patch('/staff/:id', staff.patchStaff, { present }),
  api.post('/staff/:id/deactivate', staff.deactivate, { present }),
  api.post('/staff/:id/reactivate', staff.reactivate, { present }),
];
