import { endpoint } from '../../http/endpoint.js';
import { idParams, newStaffSchema, patchedStaffProfile, resetPasswordSchema, staffListQuery, staffPatchBody, staffProfileSchema } from './staff.schema.js';
import {
  createStaff,
  deactivateStaff,
  getStaff,
  listStaff,
  patchStaffProfile,
  reactivateStaff,
  resetStaffPassword,
  updateStaff,
} from '../../services/org/staff.js';
import { presentStaff } from '../../presenters/staff.js';

/** The staff use cases, each declared once; staff.api.ts and staff.pages.ts serve them. */

const read = { permission: 'staff.read' } as const;
const manage = { permission: 'staff.manage' } as const;

export const listStaffApi = endpoint({
  access: read,
  input: { query: staffListQuery },
  run: (ctx, { query }) => listStaff(ctx, query),
});

/** The admin list: everyone, for those who manage staff. */
export const manageStaff = endpoint({ access: manage, run: (ctx) => listStaff(ctx) });

/** The empty form's choices are the view model's (staff.view.ts). */
export const newStaffForm = endpoint({ access: manage, run: () => null });

export const addStaff = endpoint({
  access: manage,
  input: { body: newStaffSchema },
  run: (ctx, { body }) => createStaff(ctx, body),
});

export const showStaff = endpoint({
  access: read,
  input: { params: idParams },
  run: (ctx, { params }) => getStaff(ctx, params.id),
});

export const editStaffForm = endpoint({
  access: manage,
  input: { params: idParams },
  run: (ctx, { params }) => getStaff(ctx, params.id),
});

export const changeStaff = endpoint({
  access: manage,
  input: { params: idParams, body: staffProfileSchema },
  run: (ctx, { params, body }) => updateStaff(ctx, params.id, body),
});

/** The fields left out keep their stored values: laid over the stored profile, then checked and saved as a whole. */
export const patchStaff = endpoint({
  access: manage,
  input: { params: idParams, body: staffPatchBody },
  run: (ctx, { params, body }) => patchStaffProfile(ctx, params.id, (stored) => patchedStaffProfile(presentStaff(stored), body)),
});

export const deactivate = endpoint({
  access: manage,
  input: { params: idParams },
  run: (ctx, { params }) => deactivateStaff(ctx, params.id),
});

export const reactivate = endpoint({
  access: manage,
  input: { params: idParams },
  run: (ctx, { params }) => reactivateStaff(ctx, params.id),
});

/** Gives the member back, for the message that names her. */
export const resetPassword = endpoint({
  access: manage,
  input: { params: idParams, body: resetPasswordSchema },
  run: (ctx, { params, body }) => resetStaffPassword(ctx, params.id, body.password),
});
