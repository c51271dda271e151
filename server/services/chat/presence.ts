import { AgentPresence, type PresenceState } from '../../models/chat-session.js';
import { ChatConsole } from '../../models/chat-console.js';
import { toObjectId } from '../ids.js';
import type { mongoose } from '../../db/connect.js';
import { upsertRetryingOnce } from '../mongo-errors.js';
import { runtime } from '../../runtime.js';

/**
 * Presence = the status the agent chose (kept across reloads and logins) AND at least one live console.
 * A console lives while its heartbeats come: every HEARTBEAT_MS, and it expires CONSOLE_TTL_MS after the last one
 * (two heartbeats missed, and some slack for a busy event loop). Nothing counts connections up and down: each
 * console is its own document named by its socket id, so repeated or reordered calls cannot leave a ghost.
 */
export const HEARTBEAT_MS = 25_000;
export const CONSOLE_TTL_MS = 70_000;
/**
 * Sessions of an agent with no live console go back to the queue this long after their last console was heard
 * from: long enough for a reload or a server restart (the console connects again at once), short for the customer.
 */
export const AGENT_GONE_MS = 30_000;

const expiry = (from: Date) => new Date(from.getTime() + CONSOLE_TTL_MS);
/**
 * Liveness runs on the real clock, not the domain clock (clock.ts) that tests move by hours: heartbeats are real
 * timers, and a console is there or not whatever day the rules think it is.
 */
export const liveNow = (): Date => new Date();

/** A console connected, or is still there (heartbeat): its expiry moves on. */
export async function refreshConsole(orgId: string, staffId: string, console: { id: string; instance: string }): Promise<void> {
  const now = liveNow();
  const org = toObjectId(orgId);
  const staff = toObjectId(staffId);
  await upsertRetryingOnce(() =>
    ChatConsole.updateOne(
      { _id: console.id, orgId: org },
      { $set: { expiresAt: expiry(now), instance: console.instance, staffId: staff }, $setOnInsert: { connectedAt: now } },
      { upsert: true },
    ),
  );
  await AgentPresence.updateOne({ orgId: org, staffId: staff }, { $max: { seenAt: now } });
  forgetAgentsOnline(orgId);
}

/** A console closed: it stops counting at once (other consoles of the agent keep them present). */
export async function dropConsole(orgId: string, staffId: string, consoleId: string): Promise<void> {
  const org = toObjectId(orgId);
  await ChatConsole.deleteOne({ _id: consoleId, orgId: org });
  forgetAgentsOnline(orgId);
  await AgentPresence.updateOne({ orgId: org, staffId: toObjectId(staffId) }, { $max: { seenAt: liveNow() } });
}

/** A realtime server stopping cleanly removes its consoles; a crashed one's expire (CONSOLE_TTL_MS). */
export async function dropInstanceConsoles(instance: string): Promise<number> {
  const { deletedCount } = await ChatConsole.deleteMany({ instance }).setOptions({ allOrgs: true });
  runtime().chat.agentsOnline.clear();
  return deletedCount;
}

/** Staff of the organisation with at least one live console. */
export async function liveStaffIds(orgId: mongoose.Types.ObjectId | string): Promise<mongoose.Types.ObjectId[]> {
  return ChatConsole.distinct('staffId', { orgId: toObjectId(String(orgId)), expiresAt: { $gt: liveNow() } });
}

/**
 * How long "is anyone there" is kept per organisation. It only chooses wording (the offline notice, the chat page's
 * hint), never who is routed: a burst of new conversations asks it once per second instead of twice per session.
 * Every console and status change in this process forgets it at once; one in another process counts within 1 s.
 */
/** A console came, went or an agent chose a status: the next question reads the database again. */
export function forgetAgentsOnline(orgId: mongoose.Types.ObjectId | string): void {
  runtime().chat.agentsOnline.forget(String(orgId));
}

/** Whether anyone is there to answer: an agent who chose online with a live console. */
export function anyAgentOnline(orgId: mongoose.Types.ObjectId | string): Promise<boolean> {
  return runtime().chat.agentsOnline.get(String(orgId), () => readAgentsOnline(String(orgId)));
}

async function readAgentsOnline(orgId: string): Promise<boolean> {
  const live = await liveStaffIds(orgId);
  if (!live.length) return false;
  return Boolean(await AgentPresence.exists({ orgId: toObjectId(orgId), status: 'online', staffId: { $in: live } }));
}

/**
 * The presence others see: the chosen status while a console is live. Without one, an agent who chose to be there
 * shows as away (they meant to work and will be back with their next console, which needs no new choice), never as
 * online (nobody would answer) nor silently offline (that is the agent's own choice to make).
 */
export function effectiveStatus(chosen: PresenceState | undefined, live: boolean): PresenceState {
  if (live) return chosen ?? 'offline';
  return chosen === 'online' || chosen === 'away' ? 'away' : 'offline';
}

/** Expired consoles removed (the readers ignore them anyway; this keeps the collection small without a TTL monitor). */
export async function purgeExpiredConsoles(orgId: mongoose.Types.ObjectId): Promise<void> {
  await ChatConsole.deleteMany({ orgId, expiresAt: { $lte: liveNow() } });
}
