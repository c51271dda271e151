import type { CustomerGroupDoc } from '../../models/customer-group.js';
import type { FeedItem } from '../../services/members/feed.js';
import type { memberPage } from '../../services/members/page.js';
import { invitePage } from '../../services/groups/group-page.js';
import { isSafeLink } from '../../services/posts/content.js';
import { socialLimits } from '../../domain/settings.js';
import { presentGroupForMember } from '../../presenters/group.js';
import { presentFeedItem } from '../../presenters/post.js';
import { presentStaffCard } from '../../presenters/staff-card.js';

/** View models of the customer's own pages (all on the bare layout: no staff navigation). */

type T = (key: string, params?: Record<string, unknown>) => string;

export const pageOf = (orgId: string) => `/my/${encodeURIComponent(orgId)}`;

export const postAnchor = (orgId: string, postId: string) => `${pageOf(orgId)}#post-${encodeURIComponent(postId)}`;

export function inviteModel(page: Awaited<ReturnType<typeof invitePage>>, key: string) {
  const group = presentGroupForMember(page.group);
  return {
    layout: 'bare',
    title: group.name,
    group,
    cap: page.cap,
    full: page.full,
    storeName: page.storeName,
    orgName: page.orgName,
    ownerCard: presentStaffCard(page.ownerCard),
    action: `/g/${key}/join`,
  };
}

export async function loadInviteModel(key: string) {
  return inviteModel(await invitePage(key), key);
}

export function joinedModel(page: { group: CustomerGroupDoc; orgName: string }) {
  return { layout: 'bare', title: page.group.name, group: presentGroupForMember(page.group), orgName: page.orgName };
}

export function enterModel(orgId: string, token: unknown, t: T) {
  return { layout: 'bare', title: t('members.enter.title'), action: `${pageOf(orgId)}/enter`, token };
}

/** Not let in: the page explains how to get there (or that the link lets nobody in). */
export function signedOutModel(t: T, opts: { linkInvalid?: boolean } = {}) {
  return { layout: 'bare', title: t('members.signedOut.title'), ...(opts.linkInvalid ? { linkInvalid: true } : {}) };
}

type AuthorCards = Awaited<ReturnType<typeof memberPage>>['authorCards'];

function presentItem(item: FeedItem, orgId: string, authorCards: AuthorCards) {
  const post = presentFeedItem(item, orgId);
  return {
    ...post,
    link: post.link && isSafeLink(post.link) ? post.link : null,
    createdAtIso: post.createdAt.toISOString(),
    base: pageOf(orgId),
    authorCard: presentStaffCard(authorCards.get(String(item.authorId))),
  };
}

export function pageModel({ member, page }: { member: { orgId: string }; page: Awaited<ReturnType<typeof memberPage>> }, extra: Record<string, unknown> = {}) {
  const present = (item: FeedItem) => presentItem(item, member.orgId, page.authorCards);
  return {
    layout: 'bare',
    title: page.orgName,
    orgName: page.orgName,
    timezone: page.timezone,
    base: pageOf(member.orgId),
    feed: page.feed.map(present),
    groups: page.groups.map(({ group, posts }) => ({ ...presentGroupForMember(group), posts: posts.map(present) })),
    commentMax: socialLimits.commentMax,
    chatUrl: page.shopChannel ? `/c/${encodeURIComponent(page.shopChannel.key)}` : null,
    ...extra,
  };
}
