import { z } from 'zod';

/**
 * The one settings module: every organisation-level rule and limit, with its default and its range.
 * Later capabilities add their limits here; nothing else in the code holds these numbers.
 */
const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'time_of_day');

export function isValidTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const massMessagePolicies = ['month_days', 'week_7', 'day_1'] as const;
export type MassMessagePolicy = (typeof massMessagePolicies)[number];

/** The most agent messages a reply window may allow (the setting's upper bound). */
export const REPLY_WINDOW_MESSAGES_MAX = 20;

/** The most anonymous chat starts per hour an organisation may allow (the setting's upper bound). */
export const VISITOR_STARTS_PER_HOUR_MAX = 10_000;

export const orgSettingsSchema = z.object({
  timezone: z.string().refine(isValidTimezone, 'timezone').default('Asia/Shanghai'),
  /** Default do-not-disturb window for new staff, in the organisation's timezone. */
  dndStart: timeOfDay.default('21:00'),
  dndEnd: timeOfDay.default('08:00'),
  /** Enterprise tags per organisation (the platform allows at most 3,000). */
  maxEnterpriseTags: z.coerce.number().int().min(1, 'out_of_range').max(3000, 'out_of_range').default(3000),
  /** A customer moves between active staff at most this often within transferWindowDays (protects customers from being passed around). */
  maxTransfers: z.coerce.number().int().min(1, 'out_of_range').max(2, 'out_of_range').default(2),
  transferWindowDays: z.coerce.number().int().min(1, 'out_of_range').max(365, 'out_of_range').default(90),
  /** Minutes a password confirmation stays valid for sensitive actions. */
  stepUpMinutes: z.coerce.number().int().min(1).max(60).default(5),
  /** When the daily follow-up run creates the day's tasks, in the organisation's timezone. */
  followupRunAt: timeOfDay.default('08:30'),
  /** Reply window (DOMAIN): after the customer's latest message, agents may send this many messages within these hours. */
  replyWindowHours: z.coerce.number().int().min(1, 'out_of_range').max(48, 'out_of_range').default(48),
  replyWindowMessages: z.coerce.number().int().min(1, 'out_of_range').max(REPLY_WINDOW_MESSAGES_MAX, 'out_of_range').default(5),
  /** Sessions an agent serves at once. */
  maxConcurrentSessions: z.coerce.number().int().min(1, 'out_of_range').max(50, 'out_of_range').default(5),
  /** Customer message rate limit: this many messages per this many seconds. */
  customerMessageLimit: z.coerce.number().int().min(1, 'out_of_range').max(100, 'out_of_range').default(10),
  customerMessageWindowSeconds: z.coerce.number().int().min(1, 'out_of_range').max(600, 'out_of_range').default(10),
  /**
   * Anonymous chat starts (new visitors) per hour, counted per address and per device: customers behind one shop's
   * Wi-Fi or a carrier's NAT share an address, so the default leaves room for a crowd.
   */
  visitorStartsPerHour: z.coerce.number().int().min(1, 'out_of_range').max(VISITOR_STARTS_PER_HOUR_MAX, 'out_of_range').default(200),
  /** Members per customer group (early platforms allowed 200); a group may set a lower cap of its own. */
  groupMemberCap: z.coerce.number().int().min(2, 'out_of_range').max(2000, 'out_of_range').default(600),
  /** Moments posts per staff member per day, in the organisation's timezone. */
  momentsPerStaffPerDay: z.coerce.number().int().min(1, 'out_of_range').max(10, 'out_of_range').default(3),
  /** Moments posts one customer is shown per day; the rest are held back for that customer. */
  momentsPerCustomerPerDay: z.coerce.number().int().min(1, 'out_of_range').max(10, 'out_of_range').default(3),
  /** Mass messages (group posts) each group receives: as many per calendar month as it has days, 7 per week, or 1 per day. */
  massMessagePolicy: z.enum(massMessagePolicies, { message: 'out_of_range' }).default('month_days'),
  /** Brand-initiated touches per customer per day across channels (moments shown, group posts); 0 switches the budget off. */
  contactBudgetPerDay: z.coerce.number().int().min(0, 'out_of_range').max(20, 'out_of_range').default(3),
});

export type OrgSettings = z.infer<typeof orgSettingsSchema>;

export const defaultOrgSettings: OrgSettings = orgSettingsSchema.parse({});

/** Stored settings merged over the defaults, so a setting added later has its default for older organisations. */
export function effectiveSettings(stored: Partial<OrgSettings> | undefined | null): OrgSettings {
  const parsed = orgSettingsSchema.safeParse({ ...defaultOrgSettings, ...(stored ?? {}) });
  return parsed.success ? parsed.data : defaultOrgSettings;
}

/**
 * Follow-up rules are per occasion; these are the defaults an occasion has until a marketer changes it.
 * Festivals are off by default except the two family festivals, so a clerk's inbox is not flooded on day one.
 */
export const followupDefaults = {
  leadDays: { birthday: 7, lunar: 10, solar: 7, event: 7 },
  maxLeadDays: 60,
  enabledFestivals: ['spring-festival', 'mid-autumn'] as readonly string[],
  messageMax: 500,
  eventNameMax: 40,
} as const;

/** Pictures anyone may send or post, by what their bytes are. */
const imageTypes: readonly string[] = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'];

/** Live chat limits fixed by the platform. */
export const chatLimits = {
  messageMax: 2000,
  imageMaxBytes: 5 * 1024 * 1024,
  imageTypes,
  /** How long a customer's device stays remembered. */
  visitorTokenDays: 180,
  ratingCommentMax: 500,
  noteMax: 500,
  /** Picture uploads on the public chat pages, per IP address and hour (chat starts are a setting: visitorStartsPerHour). */
  uploadsPerHourPerIp: 60,
} as const;

/** Finding customers: fixed by the platform. */
export const customerSearchLimits = {
  /**
   * Look-ups by a whole number, per staff member and hour. A masked number (138****1234) hides four digits, so each
   * look-up tests one of 10,000 candidates: at this pace, guessing one number takes days instead of minutes.
   */
  wholeNumberSearchesPerHour: 60,
} as const;

/** Groups, moments and their media: fixed by the platform. */
export const socialLimits = {
  postTextMax: 2000,
  postImagesMax: 9,
  commentMax: 500,
  groupNameMax: 40,
  groupNoticeMax: 1000,
  linkMax: 500,
  imageMaxBytes: 10 * 1024 * 1024,
  imageTypes,
  thumbnailWidth: 360,
  /** How long a customer's device stays remembered on the customer page and the group invite page. */
  memberTokenDays: 180,
  /** Hours an uploaded picture may wait for a post or campaign to show it before it is removed. */
  unattachedMediaHours: 24,
  /** How long a personal customer-page link a clerk shares stays valid before it is opened. */
  memberLinkDays: 7,
  /** Likes, comments and leaving groups on the customer page, per customer and per address, per hour. */
  memberActionsPerHour: 60,
  memberActionsPerHourPerIp: 300,
  /** Anonymous joins through invite pages, per IP address and hour. */
  joinsPerHourPerIp: 30,
  campaignTitleMax: 60,
  /** What a customer joining through an invite page types: as long as a CRM customer's name and phone may be. */
  memberNameMax: 60,
  phoneInputMax: 30,
  /** Customers added to a group from the CRM list in one go. */
  membersPerAddMax: 200,
  /** Tags a moment or campaign may aim at. */
  audienceTagsMax: 50,
  /** Stores a campaign may target. */
  targetStoresMax: 500,
} as const;

/**
 * Publishing to many customers (issue 19): the publish decides and delivers one batch before it answers, so a clerk
 * waits no longer than a small post takes; a larger audience is stored first and the rest continues in a job.
 * Tests make the batch small to publish a "large" audience of a few dozen customers.
 */
export const fanoutLimits = {
  /** Customers decided and delivered per step; an audience up to this size is done before the publish answers. */
  deliveryBatch: 1000,
  /** A delivery that has not moved for this long is taken up again by the sweep (its job died with its process). */
  stalledAfterMs: 2 * 60 * 1000,
};

/**
 * Receiving pictures, per app process (memory is per process): files are spooled to temporary files and decoded
 * one at a time per request, so what an upload holds in memory is small and these caps bound how many run at once.
 * A refused upload is answered at once (429) rather than queued, since a queued request still holds its connection.
 */
export const uploadLimits = {
  /** Picture uploads (a picture sent alone, or a form with pictures) in progress at once in one process. */
  concurrentTotal: 12,
  /** Of those, by one staff member (her tabs and API clients together)... */
  concurrentPerStaff: 3,
  /** ...and from one address on the public chat pages (customers behind one carrier address share it). */
  concurrentPerAddress: 3,
  /** What a refused upload is told to wait: uploads in progress usually finish within it. */
  retryAfterSeconds: 5,
  /** The text fields of a form with pictures together: as much as any form body may hold. */
  formFieldsMaxBytes: 100 * 1024,
  /** Pixels a picture may have; a small file can declare a huge image, refused before it is decoded. */
  pictureMaxPixels: 100_000_000,
} as const;

/** Fixed by the platform rather than per organisation. */
export const TAG_NAME_MAX = 30;

/** Login throttling is a platform protection, not an organisation setting: a login is resolved before its organisation is known. */
export const loginThrottle = {
  perLoginFailures: 5,
  perIpFailures: 20,
  windowSeconds: 15 * 60,
  blockSeconds: 15 * 60,
} as const;

/**
 * Argon2id cost of a stored password: argon2's defaults, about a fifth of a second per sign-in on a server. Test
 * runs (NODE_ENV=test) use the lightest cost argon2 accepts, since a run signs in hundreds of times on two cores;
 * a hash records its own cost, so either kind verifies anywhere.
 */
export const passwordHashing = {
  standard: { memoryCost: 65_536, timeCost: 3, parallelism: 4 },
  test: { memoryCost: 1_024, timeCost: 1, parallelism: 1 },
} as const;
