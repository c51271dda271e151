import type { ServiceContext } from '../../services/context.js';
import type { adminConsoleSummary, customerConsoleSummary, managerConsoleSummary } from '../../services/console/summaries.js';
import { presentStaff } from '../../presenters/staff.js';
import { presentCustomerRow } from '../../presenters/customer.js';
import { presentUpcomingBirthday } from '../../presenters/followup.js';
import { presentStore } from '../../presenters/store.js';
import { presentAuditEvent } from '../../presenters/audit.js';
import { flagsFor } from '../../policies/flags.js';
import { chatLimits } from '../../domain/settings.js';
import { placeholdersOf } from '../../domain/message-placeholders.js';
import { i18n } from '../../i18n/index.js';
import type { agentConsole } from './consoles.endpoints.js';

/** View models of the role consoles. */

type T = (key: string, params?: Record<string, unknown>) => string;
type ResultOf<F extends (...args: never[]) => unknown> = Awaited<ReturnType<F>>;
type AgentConsoleData = ResultOf<typeof agentConsole.run>;

export function clerkConsoleModel(summary: ResultOf<typeof customerConsoleSummary>, locale: string, t: T) {
  const rows = (list: typeof summary.recent) => list.map((c) => presentCustomerRow(c, { tagNames: summary.tagNames }));
  return {
    title: t('nav.clerk'),
    customerCount: summary.count,
    upcoming: summary.upcoming.map((row) => presentUpcomingBirthday(row, summary.today, locale)),
    upcomingCount: summary.upcomingCount,
    recent: rows(summary.recent),
    upcomingDays: summary.upcomingDays,
  };
}

export function agentConsoleModel({ settings, canned, colleagues, tags, skills, stores }: AgentConsoleData, ctx: ServiceContext, locale: string, t: T) {
  const agents = colleagues.filter((a) => a.id !== ctx.actor.id);
  // How far this person serves chats: only her own customers' (a clerk, never routed others), her store's, or all.
  const reach = flagsFor(ctx.actor, { routed: { beyondOwn: 'chat.serve' }, oneStore: { storeOnly: 'chat.serve' } });
  return {
    title: t('agentConsole.title'),
    agents,
    teams: stores.map((store) => ({ id: String(store._id), name: store.name })),
    // Routing offers customers with these tags to this agent first (not for clerks, who are never routed).
    skillGroups: !reach.routed
      ? []
      : tags.groups.map((g) => ({
          name: g.name,
          tags: g.tags.map((tag) => ({ id: String(tag._id), name: tag.name, checked: skills.includes(String(tag._id)) })),
        })),
    config: {
      me: ctx.actor.id,
      locale: locale === 'en' ? 'en' : 'zh-CN',
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
      storeScope: reach.oneStore ? { storeId: ctx.actor.storeId } : null,
      agents: agents.map((a) => ({ id: a.id, name: a.name })),
      canned: canned.map((c) => ({ shortcut: c.shortcut.replace(/^\//, ''), text: c.text })),
      // Canned replies may hold placeholders (the server's one list): the console fills them for the open conversation.
      placeholders: placeholdersOf('canned').map(({ code, zh }) => ({ code, zh })),
      myStore: stores.find((store) => String(store._id) === ctx.actor.storeId)?.name ?? '',
    },
    strings: i18n.t('agentConsole.js', { lng: locale, returnObjects: true, skipInterpolation: true }),
  };
}

export function managerConsoleModel(summary: ResultOf<typeof managerConsoleSummary>, t: T) {
  return {
    title: t('nav.manager'),
    store: summary.store ? presentStore(summary.store) : null,
    staff: summary.staff.map((s) => presentStaff(s)),
    customerCount: summary.customerCount,
  };
}

export function adminConsoleModel(summary: ResultOf<typeof adminConsoleSummary>, t: T) {
  return { title: t('nav.admin'), ...summary, recentAudit: summary.recentAudit.map(presentAuditEvent) };
}
