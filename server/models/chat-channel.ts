import { mongoose } from '../db/connect.js';
import { routingModes, type RoutingMode } from '../domain/vocabulary.js';

const { Schema, model } = mongoose;

// Shared vocabulary (see server/domain/vocabulary.ts), still named here for the code that reads it with the model.
export { routingModes, type RoutingMode };

/** A way in for customers (a QR code in a store, a link under a video): its public page is /c/<key>. */
export interface ChatChannelDoc {
  _id: mongoose.Types.ObjectId;
  orgId: mongoose.Types.ObjectId;
  /** Unguessable and unique across the platform: the public page is found before the organisation is known. */
  key: string;
  name: string;
  storeId?: mongoose.Types.ObjectId | null | undefined;
  routing: RoutingMode;
  /** Agents of the customer's (or the channel's) store are offered the session first. */
  routeByStore: boolean;
  welcomeMessage: string;
  closingMessage: string;
  offlineMessage: string;
  /** Days 0 (Sunday) to 6 and local times in the organisation's timezone; empty days mean always open. */
  businessHours: { days: number[]; start: string; end: string };
  /** Automatic answers while the session is with the bot; the customer can always ask for a person. */
  keywordAnswers: { keyword: string; answer: string }[];
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

const channelSchema = new Schema<ChatChannelDoc>(
  {
    orgId: { type: Schema.Types.ObjectId, ref: 'Organization', required: true },
    key: { type: String, required: true },
    name: { type: String, required: true, trim: true, maxlength: 60 },
    storeId: { type: Schema.Types.ObjectId, ref: 'Store', default: null },
    routing: { type: String, enum: routingModes, default: 'least_busy' },
    routeByStore: { type: Boolean, default: true },
    welcomeMessage: { type: String, default: '', maxlength: 500 },
    closingMessage: { type: String, default: '', maxlength: 500 },
    offlineMessage: { type: String, default: '', maxlength: 500 },
    businessHours: {
      days: { type: [Number], default: [] },
      start: { type: String, default: '09:00' },
      end: { type: String, default: '21:00' },
    },
    keywordAnswers: { type: [new Schema({ keyword: { type: String, maxlength: 30 }, answer: { type: String, maxlength: 500 } }, { _id: false })], default: [] },
    active: { type: Boolean, default: true },
  },
  { timestamps: true },
);

channelSchema.index({ key: 1 }, { unique: true });
channelSchema.index({ orgId: 1, name: 1 });

export const ChatChannel = model<ChatChannelDoc>('ChatChannel', channelSchema);

/** A customer on a device, remembered by a signed token; linked to a CRM customer when the number is known. */
export interface ChatVisitorDoc {
  _id: mongoose.Types.ObjectId;
  orgId: mongoose.Types.ObjectId;
  channelId: mongoose.Types.ObjectId;
  name: string;
  phone: string;
  customerId?: mongoose.Types.ObjectId | null | undefined;
  /** Bumped to end every token of this visitor (for example when the customer is erased). */
  tokenVersion: number;
  /** The session not yet closed, claimed by one conditional update so two first messages never open two sessions. */
  openSessionId?: mongoose.Types.ObjectId | null | undefined;
  lastSeenAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

const visitorSchema = new Schema<ChatVisitorDoc>(
  {
    orgId: { type: Schema.Types.ObjectId, ref: 'Organization', required: true },
    channelId: { type: Schema.Types.ObjectId, ref: 'ChatChannel', required: true },
    name: { type: String, required: true, trim: true, maxlength: 60 },
    phone: { type: String, default: '' },
    customerId: { type: Schema.Types.ObjectId, ref: 'Customer', default: null },
    tokenVersion: { type: Number, default: 0 },
    openSessionId: { type: Schema.Types.ObjectId, ref: 'ChatSession', default: null },
    lastSeenAt: { type: Date, default: () => new Date() },
  },
  { timestamps: true },
);

visitorSchema.index({ orgId: 1, customerId: 1 });

export const ChatVisitor = model<ChatVisitorDoc>('ChatVisitor', visitorSchema);

/** Canned replies: the organisation's (ownerId null) and an agent's own, inserted by typing "/" and the shortcut. */
export interface CannedReplyDoc {
  _id: mongoose.Types.ObjectId;
  orgId: mongoose.Types.ObjectId;
  ownerId?: mongoose.Types.ObjectId | null | undefined;
  shortcut: string;
  text: string;
  createdAt: Date;
  updatedAt: Date;
}

const cannedSchema = new Schema<CannedReplyDoc>(
  {
    orgId: { type: Schema.Types.ObjectId, ref: 'Organization', required: true },
    ownerId: { type: Schema.Types.ObjectId, ref: 'Staff', default: null },
    shortcut: { type: String, required: true, trim: true, maxlength: 20 },
    text: { type: String, required: true, maxlength: 1000 },
  },
  { timestamps: true },
);

cannedSchema.index({ orgId: 1, ownerId: 1, shortcut: 1 }, { unique: true });

export const CannedReply = model<CannedReplyDoc>('CannedReply', cannedSchema);
