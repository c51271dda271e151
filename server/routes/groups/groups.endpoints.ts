import { z } from 'zod';
import { endpoint } from '../../http/endpoint.js';
import { groupPostReach } from '../../services/groups/group-posts.js';

/** The group use cases moved to endpoints so far (the rest of the group routes are still in pages/ and api/). */

const idParams = z.object({ id: z.string() });

/** What a post to the group would reach now, and the allowance that may refuse it. */
export const previewGroupPostReach = endpoint({
  access: { permission: 'group.manage' },
  input: { params: idParams },
  run: (ctx, { params }) => groupPostReach(ctx, params.id),
});
