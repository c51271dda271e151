import { FollowupRule, type FollowupRuleDoc, type OrgEvent } from '../../models/followup-rule.js';
import { Tag } from '../../models/tag.js';
import { Store } from '../../models/store.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { authorize } from '../../policies/permissions.js';
import type { ServiceContext } from '../context.js';
import { toObjectId } from '../ids.js';
import { recordAudit } from '../audit/record-audit.js';
import { followupDefaults } from '../../domain/settings.js';
import { festivalOf, nextFestivalDate } from '../../domain/holidays.js';
import { builtinOccasions, kindOf, type OccasionKind } from '../../domain/occasions.js';
import { isValidMonthDay, isRealDate, nextYearlyDate, type IsoDate } from '../../domain/calendar.js';
import { mongoose } from '../../db/connect.js';
import { upsertRetryingOnce } from '../mongo-errors.js';

export { builtinOccasions, kindOf, type OccasionKind };

/** A rule as the job and the pages use it: stored, or the product's default for a built-in occasion. */
export type EffectiveRule = Pick<FollowupRuleDoc, 'occasion' | 'enabled' | 'leadDays' | 'tagIds' | 'storeIds' | 'message' | 'event'> & {
  id: string | null;
  kind: OccasionKind;
  customised: boolean;
  /** When a stored rule last changed (null for a default): a change makes the next run look at every customer again. */
  updatedAt: Date | null;
};

function defaultRule(occasion: string): EffectiveRule {
  const kind = kindOf(occasion);
  const leadKey = kind === 'relative-birthday' ? 'birthday' : kind;
  return {
    id: null,
    occasion,
    kind,
    customised: false,
    updatedAt: null,
    enabled: kind === 'birthday' || kind === 'relative-birthday' || followupDefaults.enabledFestivals.includes(occasion),
    leadDays: followupDefaults.leadDays[leadKey],
    tagIds: [],
    storeIds: [],
    message: '',
    event: null,
  };
}

function effectiveOf(stored: FollowupRuleDoc): EffectiveRule {
  return {
    id: String(stored._id),
    occasion: stored.occasion,
    kind: kindOf(stored.occasion),
    customised: true,
    updatedAt: stored.updatedAt ?? null,
    enabled: stored.enabled,
    leadDays: stored.leadDays,
    tagIds: stored.tagIds,
    storeIds: stored.storeIds,
    message: stored.message,
    event: stored.event ?? null,
  };
}

/** Every occasion's rule for an organisation: built-ins (stored or default), then its events by date. Used by the job too. */
export async function effectiveRules(orgId: string): Promise<EffectiveRule[]> {
  const stored = await FollowupRule.find({ orgId: toObjectId(orgId) }).lean<FollowupRuleDoc[]>();
  const byOccasion = new Map(stored.map((rule) => [rule.occasion, rule]));
  const builtins = builtinOccasions.map((occasion) => {
    const rule = byOccasion.get(occasion);
    return rule ? effectiveOf(rule) : defaultRule(occasion);
  });
  const events = stored
    .filter((rule) => kindOf(rule.occasion) === 'event')
    .map(effectiveOf)
    .sort((a, b) => a.event!.month * 100 + a.event!.day - (b.event!.month * 100 + b.event!.day));
  return [...builtins, ...events];
}

export async function listFollowupRules(ctx: ServiceContext): Promise<EffectiveRule[]> {
  authorize(ctx.actor, 'followup.rules');
  return effectiveRules(ctx.orgId);
}

export async function getFollowupRule(ctx: ServiceContext, occasion: string): Promise<EffectiveRule> {
  authorize(ctx.actor, 'followup.rules');
  if (builtinOccasions.includes(occasion)) {
    const stored = await FollowupRule.findOne({ orgId: toObjectId(ctx.orgId), occasion }).lean<FollowupRuleDoc>();
    return stored ? effectiveOf(stored) : defaultRule(occasion);
  }
  return effectiveOf(await findEvent(ctx, occasion));
}

export type RuleInput = { enabled: boolean; leadDays: number; tagIds: string[]; storeIds: string[]; message: string };
export type EventInput = OrgEvent;

/** Only enterprise tags and the organisation's stores: anything else is a field error, and nothing is written. */
async function resolveAudience(ctx: ServiceContext, input: Pick<RuleInput, 'tagIds' | 'storeIds'>) {
  const orgId = toObjectId(ctx.orgId);
  const resolve = async (ids: string[], field: string, code: string, exists: (ids: mongoose.Types.ObjectId[]) => Promise<number>) => {
    const unique = [...new Set(ids)];
    if (unique.some((id) => !mongoose.isObjectIdOrHexString(id))) throw new ValidationError({ [field]: [code] });
    const objectIds = unique.map((id) => toObjectId(id));
    if (objectIds.length && (await exists(objectIds)) !== objectIds.length) throw new ValidationError({ [field]: [code] });
    return objectIds;
  };
  return {
    tagIds: await resolve(input.tagIds, 'tagIds', 'unknown_tag', (ids) => Tag.countDocuments({ orgId, ownerId: null, _id: { $in: ids } })),
    storeIds: await resolve(input.storeIds, 'storeIds', 'unknown_store', (ids) => Store.countDocuments({ orgId, _id: { $in: ids } })),
  };
}

function checkLeadDays(leadDays: number): void {
  if (!Number.isInteger(leadDays) || leadDays < 0 || leadDays > followupDefaults.maxLeadDays) throw new ValidationError({ leadDays: ['out_of_range'] });
}

/** A one-off event's day as written ("2026-02-31" for a bad one), or null for a yearly event. */
export function oneOffDate(event: Pick<OrgEvent, 'year' | 'month' | 'day'>): IsoDate | null {
  return event.year ? `${event.year}-${String(event.month).padStart(2, '0')}-${String(event.day).padStart(2, '0')}` : null;
}

/** The next day of a festival or organisation event on or after today; null for birthdays and for a one-off event that has passed. */
export function nextOccasionDate(rule: EffectiveRule, today: IsoDate): IsoDate | null {
  if (rule.kind === 'lunar' || rule.kind === 'solar') return nextFestivalDate(festivalOf(rule.occasion)!, today);
  if (rule.kind !== 'event' || !rule.event) return null;
  const once = oneOffDate(rule.event);
  if (!once) return nextYearlyDate(rule.event.month, rule.event.day, today);
  return once >= today ? once : null;
}

function checkEvent(event: EventInput): void {
  const once = oneOffDate(event);
  const day = once ? isRealDate(once) : isValidMonthDay(event.month, event.day);
  if (!day) throw new ValidationError({ day: ['invalid_date'] });
}

export async function updateFollowupRule(ctx: ServiceContext, occasion: string, input: RuleInput): Promise<EffectiveRule> {
  authorize(ctx.actor, 'followup.rules');
  if (!builtinOccasions.includes(occasion)) {
    await findEvent(ctx, occasion);
  }
  checkLeadDays(input.leadDays);
  const audience = await resolveAudience(ctx, input);
  const orgId = toObjectId(ctx.orgId);
  const before = await getFollowupRule(ctx, occasion);
  const set = { enabled: input.enabled, leadDays: input.leadDays, message: input.message, ...audience, updatedBy: toObjectId(ctx.actor.id) };
  const saved = await upsertRetryingOnce(() =>
    FollowupRule.findOneAndUpdate(
      { orgId, occasion },
      { $set: set, $setOnInsert: { orgId, occasion } },
      { upsert: true, returnDocument: 'after' },
    ).lean<FollowupRuleDoc>(),
  );
  await recordAudit(
    ctx,
    'followup.rule_change',
    { type: 'followup_rule', id: String(saved!._id) },
    {
      occasion,
      changes: {
        enabled: { from: before.enabled, to: input.enabled },
        leadDays: { from: before.leadDays, to: input.leadDays },
        tags: audience.tagIds.length,
        stores: audience.storeIds.length,
      },
    },
  );
  return effectiveOf(saved!);
}

async function findEvent(ctx: ServiceContext, occasion: string): Promise<FollowupRuleDoc> {
  const id = occasion.startsWith('event:') ? occasion.slice('event:'.length) : '';
  const rule = mongoose.isObjectIdOrHexString(id)
    ? await FollowupRule.findOne({ orgId: toObjectId(ctx.orgId), occasion: `event:${id}` }).lean<FollowupRuleDoc>()
    : null;
  if (!rule) throw new NotFoundError('No such occasion');
  return rule;
}

/** An event's stored fields once checked whole (the day, the lead time, the audience); nothing is written before. */
async function eventFields(ctx: ServiceContext, input: { event: EventInput; rule: RuleInput }) {
  checkEvent(input.event);
  checkLeadDays(input.rule.leadDays);
  return {
    enabled: input.rule.enabled,
    leadDays: input.rule.leadDays,
    message: input.rule.message,
    ...(await resolveAudience(ctx, input.rule)),
    event: { name: input.event.name, month: input.event.month, day: input.event.day, year: input.event.year ?? null },
    updatedBy: toObjectId(ctx.actor.id),
  };
}

export async function createOrgEvent(ctx: ServiceContext, input: { event: EventInput; rule: RuleInput }): Promise<EffectiveRule> {
  authorize(ctx.actor, 'followup.rules');
  const fields = await eventFields(ctx, input);
  const _id = new mongoose.Types.ObjectId();
  const created = await FollowupRule.create({ _id, orgId: toObjectId(ctx.orgId), occasion: `event:${_id.toHexString()}`, ...fields });
  return effectiveOf(created.toObject());
}

export async function updateOrgEvent(ctx: ServiceContext, occasion: string, input: { event: EventInput; rule: RuleInput }): Promise<EffectiveRule> {
  authorize(ctx.actor, 'followup.rules');
  const existing = await findEvent(ctx, occasion);
  const fields = await eventFields(ctx, input);
  const saved = await FollowupRule.findOneAndUpdate(
    { _id: existing._id, orgId: existing.orgId },
    { $set: fields },
    { returnDocument: 'after' },
  ).lean<FollowupRuleDoc>();
  if (!saved) throw new NotFoundError('No such occasion');
  return effectiveOf(saved);
}

/** A rule's change, checked for its kind: an event's carries its name and date. */
export type FollowupRuleChange = { kind: 'event'; input: { event: EventInput; rule: RuleInput } } | { kind: 'rule'; input: RuleInput };

/** The stored rule's kind decides what its change holds, so `changeOf` is given the stored rule and answers the checked change. */
export async function changeFollowupRule(
  ctx: ServiceContext,
  occasion: string,
  changeOf: (stored: EffectiveRule) => FollowupRuleChange,
): Promise<EffectiveRule> {
  const change = changeOf(await getFollowupRule(ctx, occasion));
  return change.kind === 'event' ? updateOrgEvent(ctx, occasion, change.input) : updateFollowupRule(ctx, occasion, change.input);
}

/** Removing an event stops new tasks; tasks already made stay with their clerks. */
export async function deleteOrgEvent(ctx: ServiceContext, occasion: string): Promise<void> {
  authorize(ctx.actor, 'followup.rules');
  const existing = await findEvent(ctx, occasion);
  await FollowupRule.deleteOne({ _id: existing._id, orgId: existing.orgId });
}
