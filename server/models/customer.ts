import { mongoose } from '../db/connect.js';
import { nameKeyPlugin } from './customer-name-key.js';
import { genders, customerSources } from '../domain/vocabulary.js';

const { Schema, model } = mongoose;

// Shared vocabulary (see server/domain/vocabulary.ts), still named here for the code that reads it with the model.
export { genders, customerSources };

/** A birthday with or without a year; `md` (month * 100 + day) makes "birthdays between A and B" an index range. */
export interface Birthday {
  year?: number | null | undefined;
  month: number;
  day: number;
  md: number;
}

export interface Relative {
  relation: string;
  name: string;
  birthday?: Birthday | null | undefined;
}

export interface CustomerDoc {
  _id: mongoose.Types.ObjectId;
  orgId: mongoose.Types.ObjectId;
  name: string;
  /** The name as the list sorts it (pinyin, lower case): kept by nameKeyPlugin on every write. */
  nameKey: string;
  /** E.164, the one identity of a customer within an organisation. */
  phone: string;
  /** The last four digits, for the shop-floor search "the customer whose number ends in 1234". */
  phoneTail: string;
  gender: (typeof genders)[number];
  birthday?: Birthday | null | undefined;
  relatives: Relative[];
  /** The month-days of the customer's and relatives' birthdays, indexed for range queries. */
  birthdayMds: number[];
  tagIds: mongoose.Types.ObjectId[];
  storeId?: mongoose.Types.ObjectId | null | undefined;
  ownerId?: mongoose.Types.ObjectId | null | undefined;
  source: (typeof customerSources)[number];
  notes: string;
  /** The two latest limited transfers, newest first: enough to enforce "at most 2 in 90 days" in one conditional update. */
  recentTransfers: Date[];
  /** Colleagues the customer is shared with: they see the customer (read only); the owner stays responsible. */
  sharedWith: mongoose.Types.ObjectId[];
  /** Who added the customer; with createdAt and source it is the first timeline entry, so creating writes one document. */
  createdBy?: mongoose.Types.ObjectId | null | undefined;
  /** Raised to sign every device out of the customer page (a lost phone, a link shared by mistake). */
  memberTokenVersion?: number | undefined;
  /** The one personal link to the customer page that works: raised when a link is issued, opened or signed out. */
  memberLinkVersion?: number | undefined;
  /** The link last issued: its page shows it again while `version` is still current and it has not expired. */
  memberLinkIssued?: { version: number; expiresAt: Date } | null | undefined;
  /** Set when the customer's personal data was erased on request; the record stays for anonymous counts. */
  erasedAt?: Date | null | undefined;
  createdAt: Date;
  updatedAt: Date;
}

const birthdaySchema = new Schema<Birthday>(
  {
    year: { type: Number, min: 1900, max: 2100, default: null },
    month: { type: Number, required: true, min: 1, max: 12 },
    day: { type: Number, required: true, min: 1, max: 31 },
    md: { type: Number, required: true },
  },
  { _id: false },
);

const customerSchema = new Schema<CustomerDoc>(
  {
    orgId: { type: Schema.Types.ObjectId, ref: 'Organization', required: true },
    name: { type: String, required: true, trim: true, maxlength: 60 },
    phone: { type: String, required: true },
    phoneTail: { type: String, required: true },
    gender: { type: String, enum: genders, default: 'unknown' },
    birthday: { type: birthdaySchema, default: null },
    relatives: {
      type: [
        new Schema<Relative>(
          { relation: { type: String, required: true }, name: { type: String, required: true }, birthday: { type: birthdaySchema, default: null } },
          { _id: false },
        ),
      ],
      default: [],
    },
    birthdayMds: { type: [Number], default: [] },
    tagIds: { type: [Schema.Types.ObjectId], ref: 'Tag', default: [] },
    storeId: { type: Schema.Types.ObjectId, ref: 'Store', default: null },
    ownerId: { type: Schema.Types.ObjectId, ref: 'Staff', default: null },
    source: { type: String, enum: customerSources, default: 'in_store' },
    notes: { type: String, default: '', maxlength: 2000 },
    recentTransfers: { type: [Date], default: [] },
    erasedAt: { type: Date, default: null },
    memberTokenVersion: { type: Number, default: 0 },
    memberLinkVersion: { type: Number, default: 0 },
    memberLinkIssued: {
      type: new Schema({ version: { type: Number, required: true }, expiresAt: { type: Date, required: true } }, { _id: false }),
      default: null,
    },
    createdBy: { type: Schema.Types.ObjectId, ref: 'Staff', default: null },
    sharedWith: { type: [Schema.Types.ObjectId], ref: 'Staff', default: [] },
  },
  { timestamps: true },
);

customerSchema.plugin(nameKeyPlugin);
customerSchema.index({ orgId: 1, phone: 1 }, { unique: true });
customerSchema.index({ orgId: 1, nameKey: 1, _id: 1 });
customerSchema.index({ orgId: 1, updatedAt: -1, _id: -1 });
customerSchema.index({ orgId: 1, ownerId: 1, updatedAt: -1 });
customerSchema.index({ orgId: 1, sharedWith: 1 });
customerSchema.index({ orgId: 1, storeId: 1, updatedAt: -1 });
customerSchema.index({ orgId: 1, tagIds: 1 });
customerSchema.index({ orgId: 1, birthdayMds: 1 });
customerSchema.index({ orgId: 1, phoneTail: 1 });
customerSchema.index({ orgId: 1, 'birthday.md': 1 });

export const Customer = model<CustomerDoc>('Customer', customerSchema);
