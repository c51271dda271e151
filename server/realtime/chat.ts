import type { Server, Socket } from 'socket.io';
import type { ServiceContext } from '../services/context.js';
import { rooms } from './rooms.js';
import { scopeOf } from '../policies/permissions.js';
import { consoleConnected, consoleDisconnected, consoleHeartbeat } from '../services/chat/agent-chat.js';
import { HEARTBEAT_MS } from '../services/chat/presence.js';
import { logger } from '../logger.js';
import { mountConsoleEvents } from '../routes/chat/console.socket.js';

/** This realtime server's consoles: its id (written on each console) and the presence changes still in flight. */
export type ConsoleTracker = { instance: string; pending: Set<Promise<void>> };

/**
 * Rooms and presence of a console, for the access the socket connected with (a change of access ends the socket).
 * The console's presence changes run one after another (connected, heartbeats, disconnected), so a late heartbeat
 * can never bring back a console that closed. Resolves once the console counts as live.
 */
function joinConsole(socket: Socket, ctx: ServiceContext, tracker: ConsoleTracker): Promise<void> {
  // Session changes go to the whole organisation's chat staff, or to a store's when the actor's reach is one store;
  // a clerk hears of their own customers' sessions through their staff room.
  const scope = scopeOf(ctx.actor, 'chat.serve');
  if (!scope) return Promise.resolve();
  if (scope === 'org') void socket.join(rooms.queue(ctx.orgId));
  else if (scope === 'store') void socket.join(rooms.storeQueue(ctx.orgId, ctx.actor.storeId ?? 'none'));
  const console = { id: socket.id, instance: tracker.instance };
  let chain = Promise.resolve();
  const then = (step: () => Promise<void>) => {
    chain = chain.then(step).catch((err: unknown) => logger.error({ err }, 'console presence failed'));
    const tracked = chain;
    tracker.pending.add(tracked);
    void tracked.then(() => tracker.pending.delete(tracked));
    return tracked;
  };
  const connected = then(() => consoleConnected(ctx, console));
  const heartbeat = setInterval(() => void then(() => consoleHeartbeat(ctx, console)), HEARTBEAT_MS);
  heartbeat.unref();
  socket.on('disconnect', () => {
    clearInterval(heartbeat);
    void then(() => consoleDisconnected(ctx, console.id));
  });
  return connected;
}

/**
 * The agent console on the default namespace (staff, authenticated by their browser session): its rooms and presence
 * here, its events declared as endpoints (server/routes/chat/console.socket.ts). They are answered for every staff
 * member, so that someone without the chat permission (or who just lost it) is refused with `forbidden` instead of
 * waiting for an answer that never comes.
 */
export function registerAgentChat(_io: Server, socket: Socket, tracker: ConsoleTracker): void {
  mountConsoleEvents(socket, joinConsole(socket, socket.data.ctx as ServiceContext, tracker));
}
