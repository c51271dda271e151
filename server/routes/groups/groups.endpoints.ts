import { endpoint } from '../../http/endpoint.js';
import {
  addMemberSchema,
  addMembersSchema,
  groupListQuery,
  groupPageQuery,
  groupPatchBody,
  groupPostForm,
  groupSchema,
  idParams,
  memberListQuery,
  memberParams,
  postListQuery,
  statsQuery,
} from './groups.schema.js';
import { postContentSchema } from '../schemas/post.schema.js';
import { addMember, groupDayStats, listMembers, removeMember, updateGroup } from '../../services/groups/groups.js';
import { groupPostReach, listGroupPosts, publishGroupPost } from '../../services/groups/group-posts.js';
import { addMembers, groupDetail, groupsOverview } from '../../services/groups/group-page.js';
import {
  archiveGroupAnswer,
  changeGroupAnswer,
  createGroupAnswer,
  followOnGroupAnswer,
  groupAllowanceAnswer,
  groupAnswer,
  groupsAnswer,
  publishGroupPostWithAuthor,
} from '../../services/groups/group-answers.js';

/** The customer group use cases, each declared once; groups.api.ts and groups.pages.ts serve them. */

const read = { permission: 'group.read' } as const;
const manage = { permission: 'group.manage' } as const;

// --- Groups ------------------------------------------------------------------------------------------------------

export const listGroups = endpoint({
  access: read,
  input: { query: groupListQuery },
  run: (ctx, { query }) => groupsAnswer(ctx, query),
});

/** The list page: the groups with what its create form offers. */
export const groupsPage = endpoint({
  access: read,
  run: (ctx) => groupsOverview(ctx),
});

export const createGroup = endpoint({
  access: manage,
  input: { body: groupSchema },
  run: (ctx, { body }) => createGroupAnswer(ctx, body),
});

export const showGroup = endpoint({
  access: read,
  input: { params: idParams },
  run: (ctx, { params }) => groupAnswer(ctx, params.id),
});

/** A group's page: members, figures, posts, and the customers found by `q` to add. */
export const groupPage = endpoint({
  access: read,
  input: { params: idParams, query: groupPageQuery },
  run: (ctx, { params, query }) => groupDetail(ctx, params.id, { q: query.q }),
});

/** The page's edit form sends the whole group. */
export const editGroup = endpoint({
  access: manage,
  input: { params: idParams, query: groupPageQuery, body: groupSchema },
  run: (ctx, { params, body }) => updateGroup(ctx, params.id, body),
});

/** The API's PATCH sends what changes: the group is found (or refused) before the body is judged. */
export const patchGroup = endpoint({
  access: manage,
  input: { params: idParams, body: groupPatchBody },
  run: (ctx, { params, body }) => changeGroupAnswer(ctx, params.id, body),
});

export const archiveGroup = endpoint({
  access: manage,
  input: { params: idParams },
  run: (ctx, { params }) => archiveGroupAnswer(ctx, params.id),
});

/** A new group that the full one's invite link leads on to. */
export const followOnGroup = endpoint({
  access: manage,
  input: { params: idParams },
  run: (ctx, { params }) => followOnGroupAnswer(ctx, params.id),
});

// --- Members -----------------------------------------------------------------------------------------------------

export const listGroupMembers = endpoint({
  access: read,
  input: { params: idParams, query: memberListQuery },
  run: (ctx, { params, query }) => listMembers(ctx, params.id, query),
});

export const addGroupMember = endpoint({
  access: manage,
  input: { params: idParams, body: addMemberSchema },
  run: (ctx, { params, body }) => addMember(ctx, params.id, body.customerId),
});

/** Customers chosen from the CRM list on the group's page. */
export const addGroupMembers = endpoint({
  access: manage,
  input: { params: idParams, query: groupPageQuery, body: addMembersSchema },
  run: (ctx, { params, body }) => addMembers(ctx, params.id, body.customerIds),
});

export const removeGroupMember = endpoint({
  access: manage,
  input: { params: memberParams },
  run: (ctx, { params }) => removeMember(ctx, params.id, params.customerId),
});

// --- Posts and figures -------------------------------------------------------------------------------------------

export const listPosts = endpoint({
  access: read,
  input: { params: idParams, query: postListQuery },
  run: (ctx, { params, query }) => listGroupPosts(ctx, params.id, query.limit),
});

export const publishPost = endpoint({
  access: manage,
  input: { params: idParams, body: postContentSchema },
  run: (ctx, { params, body }) => publishGroupPostWithAuthor(ctx, params.id, body),
});

/** The page's post form, with pictures chosen on the page. */
export const publishPostForm = endpoint({
  access: manage,
  input: { params: idParams, query: groupPageQuery, body: groupPostForm },
  run: (ctx, { params, body }) => publishGroupPost(ctx, params.id, { text: body.text, link: body.link, images: body.images }),
});

/** What a post to the group would reach now, and the allowance that may refuse it. */
export const previewGroupPostReach = endpoint({
  access: manage,
  input: { params: idParams },
  run: (ctx, { params }) => groupPostReach(ctx, params.id),
});

export const dayStats = endpoint({
  access: read,
  input: { params: idParams, query: statsQuery },
  run: (ctx, { params, query }) => groupDayStats(ctx, params.id, query.days),
});

export const postAllowance = endpoint({
  access: read,
  input: { params: idParams },
  run: (ctx, { params }) => groupAllowanceAnswer(ctx, params.id),
});
