import type { RequestHandler } from 'express';
import { presentNavigation, presentMe } from '../presenters/staff.js';
import { getOrganization } from '../services/org/settings.js';
import { effectiveSettings } from '../domain/settings.js';
import { followupBadgeCount } from '../services/followups/tasks.js';
import { unseenMomentReactions } from '../services/moments/moments.js';
import { can } from '../policies/permissions.js';
import { localDateOf } from '../domain/calendar.js';
import { clock } from '../clock.js';

/** What every page's layout needs: the language, the signed-in staff member, navigation, messages. */
export const pageLocals: RequestHandler = async (req, res, next) => {
  res.locals.locale = req.locale;
  res.locals.htmlLang = req.locale === 'en' ? 'en' : 'zh-CN';
  res.locals.otherLocale = req.locale === 'en' ? 'zh-CN' : 'en';
  res.locals.currentPath = req.path;
  if (req.ctx && req.user) {
    const org = await getOrganization(req.ctx);
    res.locals.timezone = effectiveSettings(org.settings).timezone;
    res.locals.orgName = org.name;
    res.locals.me = presentMe(req.user);
    // Today from the settings already read for this page, not a second read of the organisation.
    // The badges' two counts side by side: every staff page waits for them.
    const [waiting, reactions] = await Promise.all([
      can(req.ctx.actor, 'followup.work') ? followupBadgeCount(req.ctx, localDateOf(clock.now(), res.locals.timezone as string)) : 0,
      unseenMomentReactions(req.ctx),
    ]);
    res.locals.nav = presentNavigation(req.ctx.actor, req.path, { '/followups': waiting, '/moments': reactions });
  }
  if (req.session?.flash?.length) {
    res.locals.flash = req.session.flash;
    delete req.session.flash;
  }
  next();
};
