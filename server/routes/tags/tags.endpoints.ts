import { endpoint } from '../../http/endpoint.js';
import { idParams, tagGroupSchema, tagGroupUpdateSchema, tagNamesSchema, tagRenameSchema } from './tags.schema.js';
import { addTagsToGroup, createPersonalTag, createTagGroup, deleteTag, listTagGroups, renameTag } from '../../services/tags/tags.js';
import { changeTagGroup } from '../../services/tags/tag-group-changes.js';

/** The tag use cases served by the API (the tag pages move to endpoints in a later step). */

const manage = { permission: 'tag.manage' } as const;

export const listTags = endpoint({ access: 'signedIn', run: (ctx) => listTagGroups(ctx) });

export const addTagGroup = endpoint({
  access: manage,
  input: { body: tagGroupSchema },
  run: (ctx, { body }) => createTagGroup(ctx, body),
});

export const addTagsToGroupEndpoint = endpoint({
  access: manage,
  input: { params: idParams, body: tagNamesSchema },
  run: (ctx, { params, body }) => addTagsToGroup(ctx, params.id, body.tags),
});

export const changeGroup = endpoint({
  access: manage,
  input: { params: idParams, body: tagGroupUpdateSchema },
  run: (ctx, { params, body }) => changeTagGroup(ctx, params.id, body),
});

export const addPersonalTag = endpoint({
  access: { permission: 'tag.personal' },
  input: { body: tagRenameSchema },
  run: (ctx, { body }) => createPersonalTag(ctx, body.name),
});

/** Anyone signed in: the service checks that the tag is one the actor may manage. */
export const renameTagEndpoint = endpoint({
  access: 'signedIn',
  input: { params: idParams, body: tagRenameSchema },
  run: (ctx, { params, body }) => renameTag(ctx, params.id, body.name),
});

export const deleteTagEndpoint = endpoint({
  access: 'signedIn',
  input: { params: idParams },
  run: (ctx, { params }) => deleteTag(ctx, params.id),
});
