import type { ServiceContext } from '../../services/context.js';
import type { GroupAnswer, GroupsAnswer } from '../../services/groups/group-answers.js';
import type { GroupPostAllowance } from '../../services/groups/group-posts.js';
import { groupDetail, groupsOverview } from '../../services/groups/group-page.js';
import { isSafeLink } from '../../services/posts/content.js';
import { socialLimits } from '../../domain/settings.js';
import type { Reach } from '../../services/limits/contact-budget.js';
import { presentGroup } from '../../presenters/group.js';
import { presentPost, type ImageBase } from '../../presenters/post.js';
import type { MomentListItem } from '../../services/moments/moments.js';
import type { MemberRow } from '../../services/groups/groups.js';
import { presentReach, reachSentence } from '../../presenters/reach.js';
import { maskPhone } from '../../presenters/customer.js';
import { qrCodeDataUrl } from '../../presenters/qr-code.js';

/** View models of the group pages and payloads of the groups API: what a view or a client gets, never a document. */

type T = (key: string, params?: Record<string, unknown>) => string;

// --- API payloads ------------------------------------------------------------------------------------------------

/** Groups as the API shows them: the cap in force (the group's own within the organisation's) and the store's name. */
export const groupsPayload = ({ groups, orgCap, storeNames }: GroupsAnswer) => ({ items: groups.map((group) => presentGroup(group, orgCap, storeNames)) });
export const groupPayload = ({ group, orgCap, storeNames }: GroupAnswer) => presentGroup(group, orgCap, storeNames);

/** A page of members, with the paging asked for. */
export const membersPayload = ({ members, total }: { members: MemberRow[]; total: number }, page: { limit: number; skip: number }) => ({
  items: members,
  total,
  limit: page.limit,
  skip: page.skip,
});

export const postsPayload = (posts: MomentListItem[], base: ImageBase) => ({ items: posts.map((post) => presentPost(post, base)) });

export const allowancePayload = (allowance: GroupPostAllowance) => ({ ...allowance, nextAllowedAt: allowance.nextAllowedAt?.toISOString() ?? null });

export const reachPreviewPayload = ({ reach, allowance }: { reach: Reach; allowance: GroupPostAllowance }, t: T) => ({
  ...presentReach(t, reach, 'preview'),
  allowance: allowancePayload(allowance),
});

// --- The list ----------------------------------------------------------------------------------------------------

export function listModel(overview: Awaited<ReturnType<typeof groupsOverview>>, t: T) {
  return {
    title: t('groups.title'),
    groups: overview.groups.map((g) => presentGroup(g, overview.orgCap, overview.storeNames)),
    orgCap: overview.orgCap,
    canManage: overview.canManage,
    stores: overview.storeChoices.map((s) => ({ id: String(s._id), name: s.name })),
    values: {},
  };
}

/** The list with its create form shown again. */
export async function listAgainModel({ ctx, t }: { ctx: ServiceContext; t: T }) {
  return listModel(await groupsOverview(ctx), t);
}

// --- A group's page ----------------------------------------------------------------------------------------------

/** Which of the page's forms came back refused, with what was typed into it. */
type Refused = { form: 'edit' | 'members' | 'post'; body: Record<string, unknown> };
type DetailView = { t: T; origin: string; q: string; refused?: Refused };

export async function detailModel(detail: Awaited<ReturnType<typeof groupDetail>>, { t, origin, q, refused }: DetailView) {
  const group = presentGroup(detail.group, detail.orgCap, detail.storeNames);
  const inviteUrl = `${origin}${group.inviteUrl}`;
  return {
    title: group.name,
    group: { ...group, archived: group.status === 'archived' },
    inviteUrl,
    qr: await qrCodeDataUrl(inviteUrl),
    canManage: detail.canManage,
    errorForm: refused?.form,
    // The edit form shows the group until that form itself comes back with what was typed.
    editValues: refused?.form === 'edit' ? refused.body : { name: group.name, notice: group.notice, cap: group.ownCap ?? '' },
    orgCap: detail.orgCap,
    members: detail.members.members.map((m) => ({ ...m, phoneTail: m.phoneTail ? `****${m.phoneTail}` : '' })),
    membersTotal: detail.members.total,
    membersShown: detail.members.members.length,
    dayStats: detail.dayStats,
    allowance: detail.allowance,
    reachLine: detail.reach ? reachSentence(t, detail.reach, 'preview') : null,
    posts: detail.posts.map((p) => {
      const post = presentPost(p);
      return { ...post, link: post.link && isSafeLink(post.link) ? post.link : null, createdAtIso: post.createdAt.toISOString() };
    }),
    q,
    searchAction: `/groups/${group.id}`,
    membersAction: `/groups/${group.id}/members${q ? `?q=${encodeURIComponent(q)}` : ''}`,
    candidates: detail.candidates.items.map((c) => ({
      id: String(c._id),
      name: c.name,
      phone: maskPhone(c.phone),
      member: detail.candidates.memberIds.has(String(c._id)),
    })),
    candidatesTotal: detail.candidates.total,
    postTextMax: socialLimits.postTextMax,
    postImagesMax: socialLimits.postImagesMax,
    imageTypes: socialLimits.imageTypes.join(','),
  };
}

/** What the kit hands over when one of the page's forms is shown again. */
type Again = { ctx: ServiceContext; params: { id: string }; t: T; origin: string; input: { query?: { q: string } }; body: Record<string, unknown> };

/** The group's page with one of its forms shown again, still showing what the search (kept in the form's address) found. */
export const detailAgainModel =
  (form: Refused['form']) =>
  async ({ ctx, params, t, origin, input, body }: Again) =>
    detailModel(await groupDetail(ctx, params.id, { q: input.query?.q }), { t, origin, q: input.query?.q ?? '', refused: { form, body } });
