/**
 * The words every layer shares (roles, sources, dispositions, post kinds, states): the models store them, schemas
 * accept them, policies and presenters speak them. Plain lists, so any layer may import them.
 */

// Staff
export const roles = ['admin', 'manager', 'clerk', 'agent', 'marketer'] as const;
export type Role = (typeof roles)[number];
export const staffStatuses = ['active', 'left'] as const;
export type StaffStatus = (typeof staffStatuses)[number];

// Customers
export const genders = ['female', 'male', 'unknown'] as const;
export const customerSources = ['in_store', 'event', 'referral', 'online', 'import'] as const;

// Customer imports
export const importPolicies = ['skip', 'fill_empty'] as const;
export type ImportPolicy = (typeof importPolicies)[number];

// Groups
export const groupStatuses = ['active', 'archived'] as const;
export const memberSources = ['staff', 'invite'] as const;

// Follow-ups
export const followupStatuses = ['open', 'snoozed', 'done'] as const;
export type FollowupStatus = (typeof followupStatuses)[number];
export const followupOutcomes = ['reached', 'interested', 'bought', 'not_interested'] as const;
export type FollowupOutcome = (typeof followupOutcomes)[number];

// Posts
/** A moments post (to a clerk's customers' feeds) or a group post (to one group's members). */
export const postKinds = ['moment', 'group'] as const;
export type PostKind = (typeof postKinds)[number];
export const holdReasons = ['customer_cap', 'contact_budget'] as const;
export type HoldReason = (typeof holdReasons)[number];

// Campaigns
export const campaignStatuses = ['scheduled', 'fired', 'cancelled'] as const;
export type CampaignStatus = (typeof campaignStatuses)[number];
export const campaignTaskStatuses = ['open', 'published', 'skipped'] as const;
export type CampaignTaskStatus = (typeof campaignTaskStatuses)[number];

// Chat channels
export const routingModes = ['manual', 'round_robin', 'least_busy'] as const;
export type RoutingMode = (typeof routingModes)[number];

// Chat sessions, messages and presence
/** The platform's customer-service states, with their numbers. */
export const sessionStates = ['new', 'bot', 'queued', 'serving', 'closed'] as const;
export type SessionState = (typeof sessionStates)[number];
export const sessionStateCodes: Record<SessionState, number> = { new: 0, bot: 1, queued: 2, serving: 3, closed: 4 };
export const dispositions = ['resolved', 'unresolved', 'spam', 'no_reply', 'transferred_out'] as const;
export const messageSenders = ['customer', 'agent', 'bot', 'system'] as const;
export type MessageSender = (typeof messageSenders)[number];
export const presenceStates = ['online', 'away', 'offline'] as const;
export type PresenceState = (typeof presenceStates)[number];
