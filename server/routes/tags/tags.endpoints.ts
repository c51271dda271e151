import { endpoint } from '../../http/endpoint.js';
import { idParams, tagGroupFormSchema, tagGroupSchema, tagGroupUpdateSchema, tagNamesFormSchema, tagNamesSchema, tagRenameSchema } from './tags.schema.js';
import {
  addTagsToGroup,
  countCustomersWithTag,
  createPersonalTag,
  createTagGroup,
  deleteTag,
  listTagGroups,
  moveTagGroup,
  renameTag,
  updateTagGroup,
} from '../../services/tags/tags.js';
import { changeTagGroup } from '../../services/tags/tag-group-changes.js';

/**
 * The tag use cases. The pages are for those who keep personal tags (`tag.personal`), the API for anyone signed in
 * (the services check which tags each may manage), so a page and the API share an endpoint only where both say so.
 */

const manage = { permission: 'tag.manage' } as const;
const personal = { permission: 'tag.personal' } as const;

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

/** The API and the tags page alike. */
export const addPersonalTag = endpoint({
  access: personal,
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

// --- The tags page ----------------------------------------------------------------------------------------------

export const tagsPage = endpoint({ access: personal, run: (ctx) => listTagGroups(ctx) });

export const addTagGroupForm = endpoint({
  access: manage,
  input: { body: tagGroupFormSchema },
  run: (ctx, { body }) => createTagGroup(ctx, body),
});

export const addTagsForm = endpoint({
  access: manage,
  input: { params: idParams, body: tagNamesFormSchema },
  run: (ctx, { params, body }) => addTagsToGroup(ctx, params.id, body.tags),
});

/** The page posts a move (its arrow buttons) or new fields (its edit form), never both. */
export const changeGroupForm = endpoint({
  access: manage,
  input: { params: idParams, body: tagGroupUpdateSchema },
  run: async (ctx, { params, body: { move, ...fields } }) => {
    if (move) await moveTagGroup(ctx, params.id, move);
    else await updateTagGroup(ctx, params.id, fields);
  },
});

/** The tag with the number of customers carrying it (the rename and delete page says how many it touches). */
export const editTagPage = endpoint({
  access: personal,
  input: { params: idParams },
  run: (ctx, { params }) => countCustomersWithTag(ctx, params.id),
});

export const renameTagForm = endpoint({
  access: personal,
  input: { params: idParams, body: tagRenameSchema },
  run: (ctx, { params, body }) => renameTag(ctx, params.id, body.name),
});

export const deleteTagForm = endpoint({
  access: personal,
  input: { params: idParams },
  run: (ctx, { params }) => deleteTag(ctx, params.id),
});
