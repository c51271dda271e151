import { Router } from 'express';
import { mount } from '../../http/gate.js';
import { NotFoundError } from '../../errors.js';
import { profileApiRoutes } from '../profile/profile.api.js';
import { adminApiRoutes } from '../admin/admin.api.js';
import { customerApiRoutes } from '../customers/customers.api.js';
import { customerPageLinkApiRoutes } from '../customers/page-links.api.js';
import { customerTransferApiRoutes } from '../customers/transfers.api.js';
import { tagApiRoutes } from '../tags/tags.api.js';
import { customerImportApiRoutes } from '../customers/imports.api.js';
import { followupApiRoutes } from '../followups/followups.api.js';
import { chatApiRoutes } from '../chat/chat.api.js';
import { chatReportApiRoutes } from '../chat/reports.api.js';
import { groupApiRoutes } from '../groups/groups.api.js';
import { momentApiRoutes } from '../moments/moments.api.js';
import { campaignApiRoutes } from '../campaigns/campaigns.api.js';
import { mediaApiRoutes } from '../media/media.api.js';

/** /api/v1: bearer tokens, JSON in and out, errors as {error: {code, message, details?}}. */
export function apiRouter(): Router {
  const router = mount(Router(), 'api', [
    ...profileApiRoutes,
    ...adminApiRoutes,
    ...customerImportApiRoutes,
    // After the imports: `/customers/imports…` must win over `/customers/:id`.
    ...customerPageLinkApiRoutes,
    ...customerTransferApiRoutes,
    ...customerApiRoutes,
    ...tagApiRoutes,
    ...followupApiRoutes,
    ...chatApiRoutes,
    ...chatReportApiRoutes,
    ...groupApiRoutes,
    ...momentApiRoutes,
    ...campaignApiRoutes,
    ...mediaApiRoutes,
  ]);
  router.use((_req, _res, next) => next(new NotFoundError('No such API endpoint')));
  return router;
}
