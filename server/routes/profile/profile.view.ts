import type { StaffDoc } from '../../models/staff.js';
import type { ServiceContext } from '../../services/context.js';
import type { FieldErrors } from '../../errors.js';
import { getOwnProfile } from '../../services/org/staff.js';
import { listStoreChoices } from '../../services/org/stores.js';
import { listOwnApiTokens } from '../../services/auth/api-tokens.js';
import { presentStaff } from '../../presenters/staff.js';
import { presentToken } from '../../presenters/token.js';
import { presentStaffCard } from '../../presenters/staff-card.js';
import { staffCardsById } from '../../services/org/staff-cards.js';
import { storeNameMap } from '../../presenters/store.js';
import { fieldMessages } from '../../http/forms.js';

/** The profile page's model and the API's /me: the person with her store's name. */

type T = (key: string, params?: Record<string, unknown>) => string;

async function presentOwnProfile(ctx: ServiceContext, me: StaffDoc) {
  return presentStaff(me, storeNameMap(await listStoreChoices(ctx)));
}

export const mePayload = (me: StaffDoc, ctx: ServiceContext) => presentOwnProfile(ctx, me);

/** The whole page: the profile, her staff card as customers see it, the do-not-disturb form with the stored values, and her tokens. */
export async function profileModel(ctx: ServiceContext, t: T, me?: StaffDoc) {
  const [profile, tokens, cards] = await Promise.all([
    me ? presentOwnProfile(ctx, me) : getOwnProfile(ctx).then((own) => presentOwnProfile(ctx, own)),
    listOwnApiTokens(ctx),
    staffCardsById(ctx.orgId, [ctx.actor.id]),
  ]);
  return {
    title: t('profile.title'),
    profile,
    card: presentStaffCard(cards.get(ctx.actor.id)),
    tokens: tokens.map(presentToken),
    values: { dndStart: profile.dndStart, dndEnd: profile.dndEnd, email: profile.email },
  };
}

type TokenOutcome = { name: string; refused: FieldErrors | null; created: { token: string } | null };

/** The page after the token form: the new token shown once, or the name typed with its message. */
export async function tokenOutcomeModel(ctx: ServiceContext, outcome: TokenOutcome, t: T, locale: string) {
  const model = await profileModel(ctx, t);
  if (outcome.refused) return { ...model, tokenErrors: { name: fieldMessages(outcome.refused, locale).name }, tokenName: outcome.name };
  return { ...model, newToken: outcome.created?.token, newTokenName: outcome.name };
}
