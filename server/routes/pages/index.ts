import { Router } from 'express';
import { mount } from '../../http/gate.js';
import { authPageRoutes } from '../auth/auth.pages.js';
import { consolePageRoutes } from '../consoles/consoles.pages.js';
import { adminPageRoutes } from '../admin/admin.pages.js';
import { profilePageRoutes } from '../profile/profile.pages.js';
import { customerPageRoutes } from '../customers/customers.pages.js';
import { customerImportPageRoutes } from '../customers/imports.pages.js';
import { customerTransferPageRoutes } from '../customers/transfers.pages.js';
import { tagPageRoutes } from '../tags/tags.pages.js';
import { followupPageRoutes } from '../followups/followups.pages.js';
import { chatPageRoutes } from '../chat/chat.pages.js';
import { chatAdminPageRoutes } from '../chat/channels.pages.js';
import { chatReportPageRoutes } from '../chat/reports.pages.js';
import { groupPageRoutes } from '../groups/groups.pages.js';
import { memberPageRoutes } from '../members/members.pages.js';
import { customerPageLinkRoutes } from '../customers/page-links.pages.js';
import { mediaPageRoutes } from '../media/media.pages.js';
import { momentPageRoutes } from '../moments/moments.pages.js';
import { campaignPageRoutes } from '../campaigns/campaigns.pages.js';

export function pagesRouter(): Router {
  // Imports and transfers before the customer pages: `/customers/import`, `/customers/transfer` must win over `/customers/:id`.
  return mount(Router(), 'page', [
    ...authPageRoutes,
    ...consolePageRoutes,
    ...customerImportPageRoutes,
    ...customerTransferPageRoutes,
    ...customerPageLinkRoutes,
    ...customerPageRoutes,
    ...tagPageRoutes,
    ...followupPageRoutes,
    ...chatPageRoutes,
    ...chatAdminPageRoutes,
    ...chatReportPageRoutes,
    ...groupPageRoutes,
    ...memberPageRoutes,
    ...mediaPageRoutes,
    ...momentPageRoutes,
    ...campaignPageRoutes,
    ...adminPageRoutes,
    ...profilePageRoutes,
  ]);
}
