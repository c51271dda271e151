import { mongoose } from '../db/connect.js';

const { Schema, model } = mongoose;

/**
 * One open agent console (a socket), named by its socket id. It lives only while heartbeats keep pushing
 * `expiresAt` forward: an agent is reachable while at least one unexpired console of theirs exists. A console
 * whose process died (crash, kill, lost network) simply expires, so nothing stale outlives a restart by more than
 * the expiry; a clean stop removes its process's consoles at once (by `instance`).
 */
export interface ChatConsoleDoc {
  /** The socket id: unique, so a repeated "connected" or a heartbeat can only refresh it, never count it twice. */
  _id: string;
  orgId: mongoose.Types.ObjectId;
  staffId: mongoose.Types.ObjectId;
  /** The realtime server (process) holding the socket. */
  instance: string;
  connectedAt: Date;
  expiresAt: Date;
}

const chatConsoleSchema = new Schema<ChatConsoleDoc>({
  _id: { type: String, required: true },
  orgId: { type: Schema.Types.ObjectId, ref: 'Organization', required: true },
  staffId: { type: Schema.Types.ObjectId, ref: 'Staff', required: true },
  instance: { type: String, required: true },
  connectedAt: { type: Date, required: true },
  expiresAt: { type: Date, required: true },
});

chatConsoleSchema.index({ orgId: 1, staffId: 1, expiresAt: 1 });
chatConsoleSchema.index({ orgId: 1, expiresAt: 1 });
chatConsoleSchema.index({ instance: 1 });
// Clean-up only (MongoDB's TTL monitor runs about once a minute): every reader filters on expiresAt itself.
chatConsoleSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export const ChatConsole = model<ChatConsoleDoc>('ChatConsole', chatConsoleSchema);
