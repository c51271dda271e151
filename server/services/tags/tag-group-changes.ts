import type { ServiceContext } from '../context.js';
import { listTagGroups, moveTagGroup, updateTagGroup } from './tags.js';

/** The API's change of a group: a move in the order and new fields at once; answers with the groups in their new order. */
export async function changeTagGroup(
  ctx: ServiceContext,
  groupId: string,
  change: { move?: 'up' | 'down' | undefined; name?: string | undefined; color?: string | undefined },
) {
  const { move, ...fields } = change;
  if (move) await moveTagGroup(ctx, groupId, move);
  await updateTagGroup(ctx, groupId, fields);
  return (await listTagGroups(ctx)).groups;
}
