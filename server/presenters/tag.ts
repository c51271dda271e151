import type { TagDoc, TagGroupDoc } from '../models/tag.js';

export const presentTag = (tag: TagDoc, count?: number) => ({
  id: String(tag._id),
  name: tag.name,
  groupId: tag.groupId ? String(tag.groupId) : null,
  personal: Boolean(tag.ownerId),
  ...(count === undefined ? {} : { count }),
});

export function presentTagGroup(group: TagGroupDoc & { tags: TagDoc[] }, counts?: Map<string, number>) {
  return {
    id: String(group._id),
    name: group.name,
    color: group.color,
    tags: group.tags.map((tag) => presentTag(tag, counts ? (counts.get(String(tag._id)) ?? 0) : undefined)),
  };
}
