import type { SocialPostDoc } from '../models/social-post.js';

/** Where a reader fetches a post's pictures: staff from /media, a customer from their own customer page. */
export type ImageBase = string;

export const staffImageBase: ImageBase = '/media/';
export const memberImageBase = (orgId: string): ImageBase => `/my/${orgId}/media/`;

export function presentImages(imageIds: SocialPostDoc['imageIds'], base: ImageBase) {
  return imageIds.map((id) => ({ id: String(id), url: `${base}${String(id)}`, thumbUrl: `${base}${String(id)}/thumb` }));
}

/** A post with its author's name, as the moments and feed services give it. */
type PostWithAuthor = SocialPostDoc & { authorName: string };

/**
 * Where a post's delivery stands: customers decided (shown or held back) out of its audience. A post delivered when
 * it was published has no state of its own: it is done.
 */
export function presentDelivery(post: Pick<SocialPostDoc, 'delivery' | 'stats'>) {
  const total = post.stats.audience;
  const { state, decided } = post.delivery ?? { state: 'done' as const, decided: total };
  return { state, decided, total, percent: total ? Math.floor((decided * 100) / total) : 100 };
}

/** A post for staff pages and the API: words, pictures, author, statistics and how far its delivery is. */
export function presentPost(post: PostWithAuthor, base: ImageBase = staffImageBase) {
  return {
    id: String(post._id),
    kind: post.kind,
    text: post.text,
    link: post.link ?? null,
    images: presentImages(post.imageIds, base),
    authorId: String(post.authorId),
    authorName: post.authorName,
    groupId: post.groupId ? String(post.groupId) : null,
    campaignId: post.campaignId ? String(post.campaignId) : null,
    audienceTagIds: (post.audienceTagIds ?? []).map(String),
    day: post.day,
    createdAt: post.createdAt,
    stats: { ...post.stats },
    delivery: presentDelivery(post),
  };
}

/** What the moment's page adds: held-back counts, likes and comments as the moments service read them. */
export function presentPostDetail<H, L, C>(
  post: PostWithAuthor & { heldBack: H; likedBy: L; comments: C; mayReply: boolean },
  base: ImageBase = staffImageBase,
) {
  return {
    ...presentPost(post, base),
    heldBack: post.heldBack,
    likedBy: post.likedBy,
    comments: post.comments,
    mayReply: post.mayReply,
  };
}

/** A post as a customer sees it: no statistics, no audience; their own like and comments. */
export function presentFeedItem<M>(item: PostWithAuthor & { liked: boolean; myComments: M }, orgId: string) {
  return {
    id: String(item._id),
    kind: item.kind,
    text: item.text,
    link: item.link ?? null,
    images: presentImages(item.imageIds, memberImageBase(orgId)),
    authorName: item.authorName,
    createdAt: item.createdAt,
    liked: item.liked,
    likes: item.stats.likes,
    myComments: item.myComments,
  };
}
