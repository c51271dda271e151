import { tr } from '../translate.js';
import type { Request } from 'express';
import { z } from 'zod';
import { route, ctxOf, type RouteSpec } from '../define.js';
import { handleForm } from '../forms.js';
import { flash } from '../flash.js';
import { tagGroupSchema, tagGroupUpdateSchema, tagNamesSchema, tagRenameSchema } from '../tags/tags.schema.js';
import { addTagsToGroup, countCustomersWithTag, createPersonalTag, createTagGroup, deleteTag, listTagGroups, moveTagGroup, renameTag, updateTagGroup } from '../../services/tags/tags.js';
import { presentTag, presentTagGroup } from '../../presenters/tag.js';
import { can } from '../../policies/permissions.js';

/** Tag names typed one per line or separated by commas (， or ,). */
const splitNames = (v: unknown) =>
  String(v ?? '')
    .split(/[\n,，]/)
    .map((s) => s.trim())
    .filter(Boolean);

const groupForm = z.preprocess((raw) => {
  const body = (raw ?? {}) as Record<string, unknown>;
  return { name: body.name, color: body.color || undefined, tags: splitNames(body.tags) };
}, tagGroupSchema);
const addTagsForm = z.preprocess((raw) => ({ tags: splitNames((raw as Record<string, unknown> | undefined)?.tags) }), tagNamesSchema);

async function tagsModel(req: Request) {
  const ctx = ctxOf(req);
  const { groups, personal } = await listTagGroups(ctx);
  return {
    title: tr(req, 'tags.title'),
    canManage: can(ctx.actor, 'tag.manage'),
    groups: groups.map((g) => presentTagGroup(g)),
    personal: personal.map((tag) => presentTag(tag)),
  };
}

export const tagPageRoutes: RouteSpec[] = [
  route({ method: 'get', path: '/tags', access: { permission: 'tag.personal' }, handler: async (req, res) => res.render('pages/tags/index', { ...(await tagsModel(req)), values: {} }) }),
  route({
    method: 'post',
    path: '/tags/groups',
    access: { permission: 'tag.manage' },
    handler: (req, res) =>
      handleForm(req, res, {
        schema: groupForm,
        view: 'pages/tags/index',
        model: () => tagsModel(req),
        onValid: async (input) => {
          await createTagGroup(ctxOf(req), input);
          flash(req, 'success', 'tags.groupCreated', { name: input.name });
          return '/tags';
        },
      }),
  }),
  route({
    method: 'post',
    path: '/tags/groups/:id/tags',
    access: { permission: 'tag.manage' },
    handler: (req, res) =>
      handleForm(req, res, {
        schema: addTagsForm,
        view: 'pages/tags/index',
        // Every group has an add form under one field name: only the refused group's shows what was typed.
        model: async () => ({ ...(await tagsModel(req)), addingTo: String(req.params.id) }),
        onValid: async (input) => {
          await addTagsToGroup(ctxOf(req), String(req.params.id), input.tags);
          flash(req, 'success', 'tags.added', { count: input.tags.length });
          return '/tags';
        },
      }),
  }),
  route({
    method: 'post',
    path: '/tags/groups/:id',
    access: { permission: 'tag.manage' },
    handler: (req, res) =>
      handleForm(req, res, {
        schema: tagGroupUpdateSchema,
        view: 'pages/tags/index',
        model: () => tagsModel(req),
        onValid: async ({ move, ...fields }) => {
          const ctx = ctxOf(req);
          if (move) await moveTagGroup(ctx, String(req.params.id), move);
          else await updateTagGroup(ctx, String(req.params.id), fields);
          if (!move) flash(req, 'success', 'tags.groupSaved');
          return '/tags';
        },
      }),
  }),
  route({
    method: 'post',
    path: '/tags/personal',
    access: { permission: 'tag.personal' },
    handler: (req, res) =>
      handleForm(req, res, {
        schema: tagRenameSchema,
        view: 'pages/tags/index',
        model: () => tagsModel(req),
        onValid: async (input) => {
          await createPersonalTag(ctxOf(req), input.name);
          flash(req, 'success', 'tags.added', { count: 1 });
          return '/tags';
        },
      }),
  }),
  route({
    method: 'get',
    path: '/tags/:id/edit',
    access: { permission: 'tag.personal' },
    handler: async (req, res) => {
      const { tag, customers } = await countCustomersWithTag(ctxOf(req), String(req.params.id));
      res.render('pages/tags/edit', { title: tr(req, 'tags.edit'), tag: presentTag(tag, customers), values: { name: tag.name } });
    },
  }),
  route({
    method: 'post',
    path: '/tags/:id',
    access: { permission: 'tag.personal' },
    handler: async (req, res) => {
      const { tag, customers } = await countCustomersWithTag(ctxOf(req), String(req.params.id));
      await handleForm(req, res, {
        schema: tagRenameSchema,
        view: 'pages/tags/edit',
        model: () => ({ title: tr(req, 'tags.edit'), tag: presentTag(tag, customers) }),
        onValid: async (input) => {
          await renameTag(ctxOf(req), String(tag._id), input.name);
          flash(req, 'success', 'tags.renamed', { name: input.name });
          return '/tags';
        },
      });
    },
  }),
  route({
    method: 'post',
    path: '/tags/:id/delete',
    access: { permission: 'tag.personal' },
    handler: async (req, res) => {
      const { customers } = await deleteTag(ctxOf(req), String(req.params.id));
      flash(req, 'success', 'tags.deleted', { count: customers });
      res.redirect(303, '/tags');
    },
  }),
];
