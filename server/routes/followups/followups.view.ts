import type { FollowupTaskDoc } from '../../models/followup-task.js';
import { followupOutcomes } from '../../domain/vocabulary.js';
import type { ServiceContext } from '../../services/context.js';
import { followupInbox, namesForTasks, type followupCompletion, type Inbox } from '../../services/followups/tasks.js';
import { digestBannerFor } from '../../services/followups/digests.js';
import { getFollowupRule, listFollowupRules, nextOccasionDate, oneOffDate, type EffectiveRule } from '../../services/followups/rules.js';
import { addDays } from '../../domain/calendar.js';
import type { festivalsIn } from '../../domain/holidays.js';
import { latestConversations } from '../../services/chat/agent-chat.js';
import { listTagGroups } from '../../services/tags/tags.js';
import { listStoreChoices } from '../../services/org/stores.js';
import { listAssignableOwners } from '../../services/org/staff.js';
import { orgToday } from '../../services/org/settings.js';
import { dayLabel, nearDayLabel, presentFollowup, presentFollowupForApi, presentRule } from '../../presenters/followup.js';
import { presentTagGroup } from '../../presenters/tag.js';
import { flagsFor } from '../../policies/flags.js';
import { fieldList } from '../../http/forms.js';

/** View models of the follow-up pages and payloads of the follow-up API: what a view or a client gets, never a document. */

type T = (key: string, params?: Record<string, unknown>) => string;

// --- API payloads ----------------------------------------------------------------------------------------------------

/** chatSessionId: the customer's latest conversation, when the caller may serve it (open it in the agent console). */
export async function taskPayloads(ctx: ServiceContext, tasks: FollowupTaskDoc[], locale: string) {
  const [names, conversations] = await Promise.all([
    namesForTasks(ctx, tasks),
    latestConversations(
      ctx,
      tasks.map((task) => task.customerId),
    ),
  ]);
  return tasks.map((task) => ({
    ...presentFollowupForApi(presentFollowup(task, names, locale)),
    chatSessionId: conversations.get(String(task.customerId)) ?? null,
  }));
}

export async function taskPayload(ctx: ServiceContext, task: FollowupTaskDoc, locale: string) {
  return (await taskPayloads(ctx, [task], locale))[0];
}

export const rulePayloads = (rules: EffectiveRule[], locale: string) => ({ items: rules.map((rule) => presentRule(rule, locale)) });

export const holidayPayloads = (festivals: ReturnType<typeof festivalsIn>, t: T) =>
  festivals.map((f) => ({ key: f.key, name: t(`occasions.${f.key}`), date: f.date, calendar: f.calendar }));

// --- The inbox -------------------------------------------------------------------------------------------------------

export async function inboxModel(
  inbox: Inbox,
  view: { ctx: ServiceContext; owner: string | undefined; locale: string; t: T },
  extra: Record<string, unknown> = {},
) {
  const { ctx, locale } = view;
  // A manager or admin may look at a colleague's list; a clerk sees only her own and is offered no choice.
  const { seesOthers } = flagsFor(ctx.actor, { seesOthers: { beyondOwn: 'followup.read' } });
  const all = [...inbox.lists.today, ...inbox.lists.overdue, ...inbox.lists.upcoming];
  const [names, owners, digest, conversations] = await Promise.all([
    namesForTasks(ctx, all),
    seesOthers ? listAssignableOwners(ctx) : Promise.resolve([]),
    digestBannerFor(ctx.orgId, ctx.actor.id, inbox.today),
    latestConversations(
      ctx,
      all.map((task) => task.customerId),
    ),
  ]);
  const present = (list: FollowupTaskDoc[]) =>
    list.map((task) => {
      const shown = presentFollowup(task, names, locale, inbox.today);
      const chatSessionId = conversations.get(shown.customerId);
      return {
        ...shown,
        ...flagsFor(ctx.actor, { canWork: ['followup.work', { ownerId: shown.ownerId, storeId: shown.storeId }] }),
        snoozedLabel: shown.snoozeUntil ? nearDayLabel(shown.snoozeUntil, inbox.today, locale) : null,
        chatUrl: chatSessionId ? `/console/agent#session=${chatSessionId}` : null,
      };
    });
  return {
    title: view.t('followups.title'),
    today: inbox.today,
    todayLabel: dayLabel(inbox.today, locale),
    minSnooze: addDays(inbox.today, 1),
    sections: [
      { name: 'today', items: present(inbox.lists.today), count: inbox.counts.today },
      { name: 'overdue', items: present(inbox.lists.overdue), count: inbox.counts.overdue },
      { name: 'upcoming', items: present(inbox.lists.upcoming), count: inbox.counts.upcoming },
    ],
    digest: digest ? { ...digest, allDone: digest.today + digest.overdue === 0 } : null,
    outcomes: followupOutcomes,
    owners: owners.map((s) => ({ id: String(s._id), name: s.realName })),
    owner: view.owner ?? '',
    showOwner: seesOthers,
    ...extra,
  };
}

/** The inbox as the person last saw it (her owner filter), for a form on it shown again. */
export async function loadInboxModel(
  view: { ctx: ServiceContext; input: { query?: { owner: string | undefined } }; locale: string; t: T },
  extra: Record<string, unknown>,
) {
  const owner = view.input.query?.owner;
  return inboxModel(await followupInbox(view.ctx, { ownerId: owner }), { ctx: view.ctx, owner, locale: view.locale, t: view.t }, extra);
}

// --- The completion report -------------------------------------------------------------------------------------------

export function reportModel(report: Awaited<ReturnType<typeof followupCompletion>>, invalidRange: boolean, t: T) {
  return {
    title: t('followupReport.title'),
    ...report,
    values: { from: report.from, to: report.to },
    outcomes: followupOutcomes,
    formError: invalidRange ? t('validation.invalid_date') : undefined,
  };
}

// --- Rules -----------------------------------------------------------------------------------------------------------

/** The rules page shows a past one-off event on its own day. */
function shownDateOf(rule: EffectiveRule, today: string): string | null {
  return nextOccasionDate(rule, today) ?? (rule.event ? oneOffDate(rule.event) : null);
}

async function audienceChoices(ctx: ServiceContext) {
  const [tags, stores] = await Promise.all([listTagGroups(ctx), listStoreChoices(ctx)]);
  return {
    tagGroups: tags.groups.map((g) => presentTagGroup(g)),
    stores: stores.map((s) => ({ id: String(s._id), name: s.name })),
    months: Array.from({ length: 12 }, (_, i) => i + 1),
    days: Array.from({ length: 31 }, (_, i) => i + 1),
  };
}

/** Checkbox groups come back as one value or several: the form shows them as lists either way. */
export const ruleFormValues = (body: Record<string, unknown>) => ({ tagIds: fieldList(body.tagIds), storeIds: fieldList(body.storeIds) });

export async function rulesModel(rules: EffectiveRule[], ctx: ServiceContext, locale: string, t: T) {
  const [today, choices] = await Promise.all([orgToday(ctx), audienceChoices(ctx)]);
  return {
    title: t('followupRules.title'),
    rules: rules.map((rule) => {
      const next = shownDateOf(rule, today);
      return {
        ...presentRule(rule, locale),
        nextDate: next,
        nextDateLabel: next ? nearDayLabel(next, today, locale) : null,
        path: `/followups/rules/${encodeURIComponent(rule.occasion)}`,
      };
    }),
    ...choices,
    values: { enabled: 'on', leadDays: 7 },
  };
}

export async function loadRulesModel(ctx: ServiceContext, locale: string, t: T) {
  return rulesModel(await listFollowupRules(ctx), ctx, locale, t);
}

export async function ruleEditModel(stored: EffectiveRule, ctx: ServiceContext, locale: string) {
  const rule = presentRule(stored, locale);
  return { title: rule.label, rule, action: `/followups/rules/${encodeURIComponent(rule.occasion)}`, ...(await audienceChoices(ctx)) };
}

export async function loadRuleEditModel(ctx: ServiceContext, occasion: string, locale: string) {
  return ruleEditModel(await getFollowupRule(ctx, occasion), ctx, locale);
}

/** The edit form filled with what is stored. */
export function storedRuleValues(stored: EffectiveRule, locale: string) {
  const rule = presentRule(stored, locale);
  return {
    enabled: rule.enabled ? 'on' : '',
    leadDays: rule.leadDays,
    message: rule.message,
    tagIds: rule.tagIds,
    storeIds: rule.storeIds,
    ...(rule.event ? { name: rule.event.name, month: rule.event.month, day: rule.event.day, year: rule.event.year ?? '' } : {}),
  };
}
