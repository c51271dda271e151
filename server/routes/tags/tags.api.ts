import type { RouteSpec } from '../../http/gate.js';
import { api } from '../../http/surfaces.js';
import { presentTag, presentTagGroup } from '../../presenters/tag.js';
import * as tags from './tags.endpoints.js';

/** /api/v1/tags and /api/v1/tag-groups. */
export const tagApiRoutes: RouteSpec[] = [
  api.get('/tags', tags.listTags, {
    present: ({ groups, personal }) => ({ groups: groups.map((g) => presentTagGroup(g)), personal: personal.map((t) => presentTag(t)) }),
  }),
  api.post('/tag-groups', tags.addTagGroup, { status: 201, present: (group) => presentTagGroup(group) }),
  api.post('/tag-groups/:id/tags', tags.addTagsToGroupEndpoint, { status: 201, present: (added) => ({ tags: added.map((t) => presentTag(t)) }) }),
  api.patch('/tag-groups/:id', tags.changeGroup, { present: (groups) => ({ groups: groups.map((g) => presentTagGroup(g)) }) }),
  api.post('/tags/personal', tags.addPersonalTag, { status: 201, present: (tag) => presentTag(tag) }),
  api.patch('/tags/:id', tags.renameTagEndpoint, { present: (tag) => presentTag(tag) }),
  api.delete('/tags/:id', tags.deleteTagEndpoint),
];
