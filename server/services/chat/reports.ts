import { DateTime } from 'luxon';
import { AgentPresence, ChatSession, type PresenceState } from '../../models/chat-session.js';
import { effectiveStatus, liveStaffIds } from './presence.js';
import { Staff } from '../../models/staff.js';
import { Store } from '../../models/store.js';
import { ValidationError } from '../../errors.js';
import { authorize } from '../../policies/permissions.js';
import { scopeFilter } from '../../policies/scopes.js';
import type { ServiceContext } from '../context.js';
import { toObjectId } from '../ids.js';
import { isRealDate, type IsoDate, daysBetween } from '../../domain/calendar.js';
import { chatSettings } from './sessions.js';
import { orgToday } from '../org/settings.js';
import { clock } from '../../clock.js';
import type { mongoose } from '../../db/connect.js';

/** The longest range one report covers: a year of days × stores × agents is already a long table. */
export const CHAT_REPORT_MAX_DAYS = 366;

export type ChatReportFigures = {
  /** Sessions assigned to the agent that reached serving (transferred sessions count for the agent holding them last). */
  handled: number;
  closed: number;
  /** Average seconds from assignment to the agent's first reply; null when no session in the row has a reply. */
  firstResponseSeconds: number | null;
  firstResponseCount: number;
  /** Average seconds from assignment to closing, over the closed sessions. */
  handlingSeconds: number | null;
  handlingCount: number;
  ratingAverage: number | null;
  ratingCount: number;
};

export type ChatReportRow = ChatReportFigures & { day: IsoDate; storeId: string | null; storeName: string | null; agentId: string; agentName: string };

export type ChatReport = { from: IsoDate; to: IsoDate; timezone: string; rows: ChatReportRow[]; totals: ChatReportFigures };

type Sums = { handled: number; closed: number; frtSum: number; frtCount: number; ahtSum: number; ahtCount: number; ratingSum: number; ratingCount: number };

/** Reports read sessions of the actor's reach: the organisation's for admins, their own store's for managers. */
function reportScope(ctx: ServiceContext): Record<string, unknown> {
  return scopeFilter(ctx, 'chat.report');
}

function assertRange(range: { from: string; to: string }): void {
  const fields: Record<string, string[]> = {};
  if (!isRealDate(range.from)) fields.from = ['invalid_date'];
  if (!isRealDate(range.to)) fields.to = ['invalid_date'];
  if (!fields.from && !fields.to && (range.from > range.to || daysBetween(range.from, range.to) >= CHAT_REPORT_MAX_DAYS)) fields.to = ['invalid_range'];
  if (Object.keys(fields).length) throw new ValidationError(fields);
}

const average = (sum: number, count: number, digits: number) => (count ? Number((sum / count).toFixed(digits)) : null);

function figuresOf(s: Sums): ChatReportFigures {
  return {
    handled: s.handled,
    closed: s.closed,
    firstResponseSeconds: average(s.frtSum, s.frtCount, 1),
    firstResponseCount: s.frtCount,
    handlingSeconds: average(s.ahtSum, s.ahtCount, 1),
    handlingCount: s.ahtCount,
    ratingAverage: average(s.ratingSum, s.ratingCount, 2),
    ratingCount: s.ratingCount,
  };
}

/** A number of milliseconds between two dates of the session, or null when either is missing (or the order is wrong). */
function millisBetween(later: string, earlier: string) {
  const both = { $and: [{ $gt: [later, null] }, { $gt: [earlier, null] }, { $gte: [later, earlier] }] };
  return { $cond: [both, { $subtract: [later, earlier] }, null] };
}

/**
 * Per day (in the organisation's timezone), store and agent: sessions handled and closed, average first response
 * and handling time, and the ratings. A session belongs to the local day of its assignment (or creation).
 */
export async function chatReport(ctx: ServiceContext, range: { from: IsoDate; to: IsoDate }): Promise<ChatReport> {
  const scope = reportScope(ctx);
  assertRange(range);
  const { timezone } = await chatSettings(ctx.orgId);
  // Local midnight to local midnight, so the index narrows the read and the day is computed on what is left.
  const start = DateTime.fromISO(range.from, { zone: timezone }).startOf('day').toJSDate();
  const end = DateTime.fromISO(range.to, { zone: timezone }).plus({ days: 1 }).startOf('day').toJSDate();
  const grouped = await ChatSession.aggregate<Sums & { _id: { day: IsoDate; storeId: mongoose.Types.ObjectId | null; agentId: mongoose.Types.ObjectId } }>([
    { $match: { ...scope, agentId: { $ne: null }, assignedAt: { $gte: start, $lt: end } } },
    {
      $project: {
        storeId: 1,
        agentId: 1,
        day: { $dateToString: { format: '%Y-%m-%d', date: { $ifNull: ['$assignedAt', '$createdAt'] }, timezone } },
        closed: { $cond: [{ $eq: ['$state', 'closed'] }, 1, 0] },
        frt: millisBetween('$firstResponseAt', '$assignedAt'),
        aht: { $cond: [{ $eq: ['$state', 'closed'] }, millisBetween('$closedAt', '$assignedAt'), null] },
        // Scores are 1 to 5, so "more than 0" tells a rating from none, missing or null alike.
        score: { $cond: [{ $gt: [{ $ifNull: ['$rating.score', 0] }, 0] }, '$rating.score', null] },
      },
    },
    {
      $group: {
        _id: { day: '$day', storeId: '$storeId', agentId: '$agentId' },
        handled: { $sum: 1 },
        closed: { $sum: '$closed' },
        frtSum: { $sum: { $ifNull: ['$frt', 0] } },
        frtCount: { $sum: { $cond: [{ $gt: [{ $ifNull: ['$frt', -1] }, -1] }, 1, 0] } },
        ahtSum: { $sum: { $ifNull: ['$aht', 0] } },
        ahtCount: { $sum: { $cond: [{ $gt: [{ $ifNull: ['$aht', -1] }, -1] }, 1, 0] } },
        ratingSum: { $sum: { $ifNull: ['$score', 0] } },
        ratingCount: { $sum: { $cond: [{ $gt: [{ $ifNull: ['$score', 0] }, 0] }, 1, 0] } },
      },
    },
  ]);

  const orgId = toObjectId(ctx.orgId);
  const [staff, stores] = await Promise.all([
    Staff.find({ orgId, _id: { $in: [...new Set(grouped.map((g) => String(g._id.agentId)))].map((id) => toObjectId(id)) } }, { realName: 1 }).lean(),
    Store.find(
      { orgId, _id: { $in: [...new Set(grouped.filter((g) => g._id.storeId).map((g) => String(g._id.storeId)))].map((id) => toObjectId(id)) } },
      { name: 1 },
    ).lean(),
  ]);
  const staffNames = new Map(staff.map((s) => [String(s._id), s.realName]));
  const storeNames = new Map(stores.map((s) => [String(s._id), s.name]));
  // Milliseconds are summed in the database; seconds are what people read.
  const inSeconds = (g: Sums): Sums => ({ ...g, frtSum: g.frtSum / 1000, ahtSum: g.ahtSum / 1000 });
  const rows: ChatReportRow[] = grouped
    .map((g) => ({
      day: g._id.day,
      storeId: g._id.storeId ? String(g._id.storeId) : null,
      storeName: g._id.storeId ? (storeNames.get(String(g._id.storeId)) ?? null) : null,
      agentId: String(g._id.agentId),
      agentName: staffNames.get(String(g._id.agentId)) ?? '—',
      ...figuresOf(inSeconds(g)),
    }))
    .sort(
      (a, b) =>
        a.day.localeCompare(b.day) ||
        (a.storeName ?? '').localeCompare(b.storeName ?? '', 'zh-CN') ||
        a.agentName.localeCompare(b.agentName, 'zh-CN') ||
        a.agentId.localeCompare(b.agentId),
    );
  const total = grouped.map(inSeconds).reduce<Sums>(
    (acc, g) => ({
      handled: acc.handled + g.handled,
      closed: acc.closed + g.closed,
      frtSum: acc.frtSum + g.frtSum,
      frtCount: acc.frtCount + g.frtCount,
      ahtSum: acc.ahtSum + g.ahtSum,
      ahtCount: acc.ahtCount + g.ahtCount,
      ratingSum: acc.ratingSum + g.ratingSum,
      ratingCount: acc.ratingCount + g.ratingCount,
    }),
    { handled: 0, closed: 0, frtSum: 0, frtCount: 0, ahtSum: 0, ahtCount: 0, ratingSum: 0, ratingCount: 0 },
  );
  return { from: range.from, to: range.to, timezone, rows, totals: figuresOf(total) };
}

/** Today in the organisation's timezone: the report pages default to the days up to it. */
export async function chatReportToday(ctx: ServiceContext): Promise<IsoDate> {
  authorize(ctx.actor, 'chat.report');
  return orgToday(ctx);
}

export type LiveAgent = { agentId: string; name: string; status: PresenceState; activeSessions: number; serving: number; handledToday: number };
export type LiveOverview = {
  at: string;
  agents: LiveAgent[];
  online: number;
  away: number;
  queueLength: number;
  /** Seconds the oldest queued session has waited; 0 when nobody waits. */
  longestWaitSeconds: number;
  oldestQueuedAt: string | null;
  servingTotal: number;
};

const statusOrder: Record<PresenceState, number> = { online: 0, away: 1, offline: 2 };

/** The manager's live view: who is online, the queue and its longest wait, the sessions each agent holds now. */
export async function liveOverview(ctx: ServiceContext): Promise<LiveOverview> {
  const scope = reportScope(ctx);
  const orgId = toObjectId(ctx.orgId);
  const now = clock.now();
  const { timezone } = await chatSettings(ctx.orgId);
  const startOfToday = DateTime.fromJSDate(now, { zone: timezone }).startOf('day').toJSDate();
  const presenceFilter: Record<string, unknown> = { orgId, ...('storeId' in scope ? { storeId: scope.storeId } : {}) };
  const [presences, live, queueLength, oldest, serving, today] = await Promise.all([
    AgentPresence.find(presenceFilter, { staffId: 1, status: 1, activeSessions: 1 }).lean(),
    liveStaffIds(orgId).then((ids) => new Set(ids.map(String))),
    ChatSession.countDocuments({ ...scope, state: 'queued' }),
    ChatSession.findOne({ ...scope, state: 'queued' }, { queuedAt: 1 })
      .sort({ queuedAt: 1, _id: 1 })
      .lean(),
    ChatSession.aggregate<{ _id: mongoose.Types.ObjectId; n: number }>([
      { $match: { ...scope, state: 'serving', agentId: { $ne: null } } },
      { $group: { _id: '$agentId', n: { $sum: 1 } } },
    ]),
    ChatSession.aggregate<{ _id: mongoose.Types.ObjectId; n: number }>([
      { $match: { ...scope, agentId: { $ne: null }, assignedAt: { $gte: startOfToday } } },
      { $group: { _id: '$agentId', n: { $sum: 1 } } },
    ]),
  ]);
  const servingBy = new Map(serving.map((s) => [String(s._id), s.n]));
  const todayBy = new Map(today.map((s) => [String(s._id), s.n]));
  const presenceBy = new Map(presences.map((p) => [String(p.staffId), p]));
  // An agent of another store holding this store's sessions is listed too: the manager sees who serves their customers.
  const ids = [...new Set([...presenceBy.keys(), ...servingBy.keys(), ...todayBy.keys()])];
  const staff = await Staff.find({ orgId, _id: { $in: ids.map((id) => toObjectId(id)) } }, { realName: 1, status: 1 }).lean();
  const names = new Map(staff.map((s) => [String(s._id), s.realName]));
  const agents: LiveAgent[] = ids
    .filter((id) => names.has(id))
    .map((id) => {
      const presence = presenceBy.get(id);
      return {
        agentId: id,
        name: names.get(id)!,
        status: effectiveStatus(presence?.status, live.has(id)),
        activeSessions: presence?.activeSessions ?? 0,
        serving: servingBy.get(id) ?? 0,
        handledToday: todayBy.get(id) ?? 0,
      };
    })
    .sort((a, b) => statusOrder[a.status] - statusOrder[b.status] || b.serving - a.serving || a.name.localeCompare(b.name, 'zh-CN'));
  const queuedAt = oldest?.queuedAt ? new Date(oldest.queuedAt) : null;
  return {
    at: now.toISOString(),
    agents,
    online: agents.filter((a) => a.status === 'online').length,
    away: agents.filter((a) => a.status === 'away').length,
    queueLength,
    longestWaitSeconds: queuedAt ? Math.max(0, Math.round((now.getTime() - queuedAt.getTime()) / 1000)) : 0,
    oldestQueuedAt: queuedAt ? queuedAt.toISOString() : null,
    servingTotal: serving.reduce((n, s) => n + s.n, 0),
  };
}
