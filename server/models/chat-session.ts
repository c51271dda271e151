import { mongoose } from '../db/connect.js';
import {
  sessionStates,
  sessionStateCodes,
  dispositions,
  messageSenders,
  presenceStates,
  type SessionState,
  type MessageSender,
  type PresenceState,
} from '../domain/vocabulary.js';

const { Schema, model } = mongoose;

// Shared vocabulary (see server/domain/vocabulary.ts), still named here for the code that reads it with the model.
export { sessionStates, sessionStateCodes, dispositions, messageSenders, presenceStates, type SessionState, type MessageSender, type PresenceState };

export interface SessionTransition {
  state: SessionState;
  at: Date;
  by?: mongoose.Types.ObjectId | null | undefined;
  note?: string | undefined;
}

export interface ChatSessionDoc {
  _id: mongoose.Types.ObjectId;
  orgId: mongoose.Types.ObjectId;
  channelId: mongoose.Types.ObjectId;
  storeId?: mongoose.Types.ObjectId | null | undefined;
  visitorId: mongoose.Types.ObjectId;
  /** The visitor's name when the session opened, so lists and pushes need no second read. */
  visitorName: string;
  customerId?: mongoose.Types.ObjectId | null | undefined;
  /** The linked customer's clerk: they may follow and serve their customer's conversations. */
  ownerId?: mongoose.Types.ObjectId | null | undefined;
  /** Transferred to a store's team: that store's agents are offered it first, whatever the channel's routing says. */
  preferStore: boolean;
  /** The closed session this one continues, when the customer wrote again. */
  previousSessionId?: mongoose.Types.ObjectId | null | undefined;
  state: SessionState;
  agentId?: mongoose.Types.ObjectId | null | undefined;
  /** The last sequence number given to a message of this session. */
  seq: number;
  /** The last number the customer sees: the session's messages without the agents' notes, 1, 2, 3 … (see ChatMessageDoc). */
  visibleSeq: number;
  transitions: SessionTransition[];
  queuedAt?: Date | null | undefined;
  assignedAt?: Date | null | undefined;
  firstResponseAt?: Date | null | undefined;
  closedAt?: Date | null | undefined;
  disposition?: string | null | undefined;
  rating?: { score: number; comment: string; at: Date } | null | undefined;
  lastCustomerMessageAt?: Date | null | undefined;
  /** Agent messages since the customer's latest message: the reply window allows a limited number. */
  agentMessagesSinceCustomer: number;
  /**
   * Who took the latest places in the reply window (`agent:<staff>:<client id>`, the newest last, as many as a window
   * may hold): a repeat of a message that holds a place, even one still in flight, never takes a second.
   */
  replyPlaceKeys?: string[] | undefined;
  lastMessageAt?: Date | null | undefined;
  lastMessagePreview: string;
  customerReadSeq: number;
  agentReadSeq: number;
  /** `agentReadSeq` in the customer's numbering (what their page shows as read). */
  agentReadVisibleSeq: number;
  createdAt: Date;
  updatedAt: Date;
}

const sessionSchema = new Schema<ChatSessionDoc>(
  {
    orgId: { type: Schema.Types.ObjectId, ref: 'Organization', required: true },
    channelId: { type: Schema.Types.ObjectId, ref: 'ChatChannel', required: true },
    storeId: { type: Schema.Types.ObjectId, ref: 'Store', default: null },
    visitorId: { type: Schema.Types.ObjectId, ref: 'ChatVisitor', required: true },
    visitorName: { type: String, default: '' },
    customerId: { type: Schema.Types.ObjectId, ref: 'Customer', default: null },
    ownerId: { type: Schema.Types.ObjectId, ref: 'Staff', default: null },
    preferStore: { type: Boolean, default: false },
    previousSessionId: { type: Schema.Types.ObjectId, ref: 'ChatSession', default: null },
    state: { type: String, enum: sessionStates, default: 'new' },
    agentId: { type: Schema.Types.ObjectId, ref: 'Staff', default: null },
    seq: { type: Number, default: 0 },
    visibleSeq: { type: Number, default: 0 },
    transitions: {
      type: [
        new Schema<SessionTransition>(
          { state: { type: String, enum: sessionStates }, at: Date, by: { type: Schema.Types.ObjectId, default: null }, note: String },
          { _id: false },
        ),
      ],
      default: [],
    },
    queuedAt: { type: Date, default: null },
    assignedAt: { type: Date, default: null },
    firstResponseAt: { type: Date, default: null },
    closedAt: { type: Date, default: null },
    disposition: { type: String, default: null },
    rating: { type: new Schema({ score: Number, comment: String, at: Date }, { _id: false }), default: null },
    lastCustomerMessageAt: { type: Date, default: null },
    agentMessagesSinceCustomer: { type: Number, default: 0 },
    replyPlaceKeys: { type: [String], default: undefined },
    lastMessageAt: { type: Date, default: null },
    lastMessagePreview: { type: String, default: '' },
    customerReadSeq: { type: Number, default: 0 },
    agentReadSeq: { type: Number, default: 0 },
    agentReadVisibleSeq: { type: Number, default: 0 },
  },
  { timestamps: true },
);

sessionSchema.index({ orgId: 1, visitorId: 1, createdAt: -1 });
sessionSchema.index({ orgId: 1, state: 1, queuedAt: 1 });
sessionSchema.index({ orgId: 1, agentId: 1, state: 1 });
sessionSchema.index({ orgId: 1, closedAt: 1 });
sessionSchema.index({ orgId: 1, customerId: 1, createdAt: -1 });
sessionSchema.index({ orgId: 1, ownerId: 1, state: 1 });

export const ChatSession = model<ChatSessionDoc>('ChatSession', sessionSchema);

export interface ChatMessageDoc {
  _id: mongoose.Types.ObjectId;
  orgId: mongoose.Types.ObjectId;
  sessionId: mongoose.Types.ObjectId;
  visitorId: mongoose.Types.ObjectId;
  seq: number;
  /**
   * The customer's numbering: how many messages the customer receives up to and including this one. Agents' notes
   * take a `seq` (agents see them in order) but never a visible number, so the customer's numbers run 1, 2, 3 …
   * with no gaps; a note carries the visible number of the message before it.
   */
  visibleSeq: number;
  /** The sender's own id for the message: a repeated id is stored once and acknowledged again. */
  clientId: string;
  /** sender + sender id + clientId, unique per organisation. */
  dedupeKey: string;
  sender: MessageSender;
  agentId?: mongoose.Types.ObjectId | null | undefined;
  text: string;
  image?: { fileId: mongoose.Types.ObjectId; mime: string; size: number; width?: number; height?: number } | null | undefined;
  /** An internal note: agents only, never sent to the customer. */
  internal: boolean;
  createdAt: Date;
}

const messageSchema = new Schema<ChatMessageDoc>(
  {
    orgId: { type: Schema.Types.ObjectId, ref: 'Organization', required: true },
    sessionId: { type: Schema.Types.ObjectId, ref: 'ChatSession', required: true },
    visitorId: { type: Schema.Types.ObjectId, ref: 'ChatVisitor', required: true },
    seq: { type: Number, required: true },
    visibleSeq: { type: Number, required: true },
    clientId: { type: String, required: true },
    dedupeKey: { type: String, required: true },
    sender: { type: String, enum: messageSenders, required: true },
    agentId: { type: Schema.Types.ObjectId, ref: 'Staff', default: null },
    text: { type: String, default: '' },
    image: { type: new Schema({ fileId: Schema.Types.ObjectId, mime: String, size: Number, width: Number, height: Number }, { _id: false }), default: null },
    internal: { type: Boolean, default: false },
  },
  { timestamps: { createdAt: true, updatedAt: false } },
);

messageSchema.index({ orgId: 1, dedupeKey: 1 }, { unique: true });
messageSchema.index({ orgId: 1, sessionId: 1, seq: 1 }, { unique: true });
// A picture is found by its file (a customer may open only pictures sent to them; staff open the organisation's):
// partial, so the messages without one, nearly all, cost their insert nothing here.
messageSchema.index({ orgId: 1, 'image.fileId': 1 }, { partialFilterExpression: { 'image.fileId': { $exists: true } } });

export const ChatMessage = model<ChatMessageDoc>('ChatMessage', messageSchema);

export interface AgentSlot {
  sessionId: mongoose.Types.ObjectId;
  at: Date;
}

/** An agent's availability and load, kept with atomic updates so the concurrent-session cap holds. */
export interface AgentPresenceDoc {
  _id: mongoose.Types.ObjectId;
  orgId: mongoose.Types.ObjectId;
  staffId: mongoose.Types.ObjectId;
  storeId?: mongoose.Types.ObjectId | null | undefined;
  /** The status the agent chose; they are reachable only while a console of theirs is live too (ChatConsole). */
  status: PresenceState;
  /** Always the length of `slots`: both change in one update, so a filter on it keeps the cap exact. */
  activeSessions: number;
  /**
   * One slot per session the agent serves, named by the session: taking and giving back a slot are idempotent,
   * and a sweep can compare them with the sessions served and repair any difference (see slots.ts).
   */
  slots: AgentSlot[];
  /** Raised by every slot change, so a repair applies only to the slots it read. */
  slotsVersion: number;
  lastAssignedAt: Date;
  /** The last sign of life from one of the agent's consoles: their sessions go back to the queue some time after it. */
  seenAt: Date;
  /** Whether routing may give this person sessions (agents, managers, admins); clerks only serve their own customers. */
  routable: boolean;
  /** A store's manager: routed only sessions of that store. */
  storeOnly: boolean;
  /** Customer tags this agent is good with: customers carrying one of them are offered to this agent first. */
  skillTagIds: mongoose.Types.ObjectId[];
  updatedAt: Date;
}

const presenceSchema = new Schema<AgentPresenceDoc>(
  {
    orgId: { type: Schema.Types.ObjectId, ref: 'Organization', required: true },
    staffId: { type: Schema.Types.ObjectId, ref: 'Staff', required: true },
    storeId: { type: Schema.Types.ObjectId, ref: 'Store', default: null },
    status: { type: String, enum: presenceStates, default: 'offline' },
    activeSessions: { type: Number, default: 0 },
    slots: {
      type: [new Schema<AgentSlot>({ sessionId: { type: Schema.Types.ObjectId, required: true }, at: { type: Date, required: true } }, { _id: false })],
      default: [],
    },
    slotsVersion: { type: Number, default: 0 },
    lastAssignedAt: { type: Date, default: () => new Date(0) },
    seenAt: { type: Date, default: () => new Date(0) },
    routable: { type: Boolean, default: true },
    skillTagIds: { type: [Schema.Types.ObjectId], ref: 'Tag', default: [] },
    storeOnly: { type: Boolean, default: false },
  },
  { timestamps: { createdAt: false, updatedAt: true } },
);

presenceSchema.index({ orgId: 1, staffId: 1 }, { unique: true });
presenceSchema.index({ orgId: 1, status: 1, activeSessions: 1 });

export const AgentPresence = model<AgentPresenceDoc>('AgentPresence', presenceSchema);
