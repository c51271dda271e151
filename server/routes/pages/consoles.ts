import { tr } from '../translate.js';
import { route, ctxOf, type RouteSpec } from '../define.js';
import { homePathFor, presentStaff } from '../../presenters/staff.js';
import { presentCustomerRow } from '../../presenters/customer.js';
import { presentUpcomingBirthday } from '../../presenters/followup.js';
import { presentStore } from '../../presenters/store.js';
import { presentAuditEvent } from '../../presenters/audit.js';
import {
  adminConsoleSummary,
  customerConsoleSummary,
  managerConsoleSummary,
  marketerConsoleSummary,
} from '../../services/console/summaries.js';
import { i18n } from '../../i18n/index.js';
import { listTagGroups } from '../../services/tags/tags.js';
import { listStoreChoices } from '../../services/org/stores.js';
import { scopeOf } from '../../policies/permissions.js';
import { listCannedReplies } from '../../services/chat/channels.js';
import { listChatAgents, chatSkillsOf } from '../../services/chat/agent-chat.js';
import { getOrgSettings } from '../../services/org/settings.js';
import { chatLimits } from '../../services/settings/org-settings.js';
import { placeholdersOf } from '../../domain/message-placeholders.js';

async function customersModel(ctx: ReturnType<typeof ctxOf>, locale: string) {
  const summary = await customerConsoleSummary(ctx);
  const rows = (list: typeof summary.recent) => list.map((c) => presentCustomerRow(c, { tagNames: summary.tagNames }));
  return {
    customerCount: summary.count,
    upcoming: summary.upcoming.map((row) => presentUpcomingBirthday(row, summary.today, locale)),
    upcomingCount: summary.upcomingCount,
    recent: rows(summary.recent),
    upcomingDays: summary.upcomingDays,
  };
}

export const consoleRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/',
    access: { signedIn: true },
    handler: (req, res) => res.redirect(303, homePathFor(ctxOf(req).actor)),
  }),
  route({
    method: 'get',
    path: '/console/clerk',
    access: { permission: 'console.clerk' },
    handler: async (req, res) => {
      res.render('pages/consoles/clerk', { title: tr(req, 'nav.clerk'), ...(await customersModel(ctxOf(req), req.locale)) });
    },
  }),
  route({
    method: 'get',
    path: '/console/agent',
    // Agents and managers work here all day; clerks open it for their own customers' conversations.
    access: { permission: 'chat.serve' },
    handler: async (req, res) => {
      const ctx = ctxOf(req);
      const [settings, canned, colleagues, tags, skills, stores] = await Promise.all([getOrgSettings(ctx), listCannedReplies(ctx), listChatAgents(ctx), listTagGroups(ctx), chatSkillsOf(ctx), listStoreChoices(ctx)]);
      const agents = colleagues.filter((a) => a.id !== ctx.actor.id);
      res.setHeader('Cache-Control', 'no-store');
      res.render('pages/consoles/agent', {
        title: tr(req, 'agentConsole.title'),
        agents,
        teams: stores.map((store) => ({ id: String(store._id), name: store.name })),
        // Routing offers customers with these tags to this agent first (not for clerks, who are never routed).
        skillGroups: scopeOf(ctx.actor, 'chat.serve') === 'own' ? [] : tags.groups.map((g) => ({ name: g.name, tags: g.tags.map((t) => ({ id: String(t._id), name: t.name, checked: skills.includes(String(t._id)) })) })),
        config: {
          me: ctx.actor.id,
          locale: req.locale === 'en' ? 'en' : 'zh-CN',
          timezone: settings.timezone,
          replyWindowHours: settings.replyWindowHours,
          replyWindowMessages: settings.replyWindowMessages,
          maxSessions: settings.maxConcurrentSessions,
          messageMax: chatLimits.messageMax,
          noteMax: chatLimits.noteMax,
          imageMaxBytes: chatLimits.imageMaxBytes,
          imageTypes: chatLimits.imageTypes,
          imageAccept: chatLimits.imageTypes.join(','),
          // The queue room carries the whole organisation's sessions; a store-scoped manager shows only the store's.
          storeScope: scopeOf(ctx.actor, 'chat.serve') === 'store' ? { storeId: ctx.actor.storeId } : null,
          agents: agents.map((a) => ({ id: a.id, name: a.name })),
          canned: canned.map((c) => ({ shortcut: c.shortcut.replace(/^\//, ''), text: c.text })),
          // Canned replies may hold placeholders (the server's one list): the console fills them for the open conversation.
          placeholders: placeholdersOf('canned').map(({ code, zh }) => ({ code, zh })),
          myStore: stores.find((store) => String(store._id) === ctx.actor.storeId)?.name ?? '',
        },
        strings: i18n.t('agentConsole.js', { lng: req.locale, returnObjects: true }),
      });
    },
  }),
  route({
    method: 'get',
    path: '/console/manager',
    access: { permission: 'console.manager' },
    handler: async (req, res) => {
      const summary = await managerConsoleSummary(ctxOf(req));
      res.render('pages/consoles/manager', {
        title: tr(req, 'nav.manager'),
        store: summary.store ? presentStore(summary.store) : null,
        staff: summary.staff.map((s) => presentStaff(s)),
        customerCount: summary.customerCount,
      });
    },
  }),
  route({
    method: 'get',
    path: '/console/marketer',
    access: { permission: 'console.marketer' },
    handler: async (req, res) => {
      res.render('pages/consoles/marketer', { title: tr(req, 'nav.marketer'), ...(await marketerConsoleSummary(ctxOf(req))) });
    },
  }),
  route({
    method: 'get',
    path: '/console/admin',
    access: { permission: 'console.admin' },
    handler: async (req, res) => {
      const summary = await adminConsoleSummary(ctxOf(req));
      res.render('pages/consoles/admin', {
        title: tr(req, 'nav.admin'),
        ...summary,
        recentAudit: summary.recentAudit.map(presentAuditEvent),
      });
    },
  }),
];
