import type { ServiceContext } from '../../services/context.js';
import type { TagDoc } from '../../models/tag.js';
import { countCustomersWithTag, listTagGroups } from '../../services/tags/tags.js';
import { presentTag, presentTagGroup } from '../../presenters/tag.js';
import { flagsFor } from '../../policies/flags.js';

/** View models of the tag pages. */

type T = (key: string, params?: Record<string, unknown>) => string;

export function tagsModel(ctx: ServiceContext, tags: Awaited<ReturnType<typeof listTagGroups>>, t: T) {
  return {
    title: t('tags.title'),
    ...flagsFor(ctx.actor, { canManage: 'tag.manage' }),
    groups: tags.groups.map((g) => presentTagGroup(g)),
    personal: tags.personal.map((tag) => presentTag(tag)),
  };
}

/** The page again after a refused form, as it is now. */
export async function loadTagsModel(ctx: ServiceContext, t: T) {
  return tagsModel(ctx, await listTagGroups(ctx), t);
}

export const editTagModel = ({ tag, customers }: { tag: TagDoc; customers: number }, t: T) => ({ title: t('tags.edit'), tag: presentTag(tag, customers) });

/** The edit page again after a refused rename, with the tag as it is (one gone meanwhile answers 404). */
export async function loadEditTagModel(ctx: ServiceContext, tagId: string, t: T) {
  return editTagModel(await countCustomersWithTag(ctx, tagId), t);
}
