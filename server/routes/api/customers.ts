import type { Request } from 'express';
import { route, ctxOf, type RouteSpec } from '../define.js';
import { bulkTagSchema, customerListQuery, customerSchema, tagChangeSchema, tagGroupSchema, tagNamesSchema, tagRenameSchema, transferSchema, tagGroupUpdateSchema, shareSchema } from '../schemas/customer.schema.js';
import { addCustomer, bulkChangeTags, changeCustomerTags, customerInputOf, getCustomer, listCustomers, revealCustomerPhone, setCustomerSharing, updateCustomer } from '../../services/customers/customers.js';
import { listTimeline } from '../../services/customers/timeline.js';
import { exportCustomersCsv } from '../../services/customers/export.js';
import { eraseCustomer } from '../../services/customers/erase.js';
import { startCsvDownload } from '../csv-download.js';
import { listWaitingForTransfer, transferCustomers } from '../../services/customers/transfer.js';
import { addTagsToGroup, createPersonalTag, createTagGroup, deleteTag, listTagGroups, moveTagGroup, renameTag, tagNamesFor, updateTagGroup } from '../../services/tags/tags.js';
import { presentCustomer } from '../../presenters/customer-detail.js';
import { presentTag, presentTagGroup } from '../../presenters/tag.js';
import type { CustomerDoc } from '../../models/customer.js';

async function customerBody(req: Request, customer: CustomerDoc, revealedPhone?: string) {
  return presentCustomer(customer, { revealedPhone, tagNames: await tagNamesFor(ctxOf(req), customer.tagIds) });
}

export const customerApiRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/customers',
    access: { permission: 'customer.read' },
    handler: async (req, res) => {
      const ctx = ctxOf(req);
      const query = customerListQuery.parse(req.query);
      const { items, total, tagCounts } = await listCustomers(ctx, query, { withTagCounts: query.counts });
      const tagNames = await tagNamesFor(ctx, items.flatMap((c) => c.tagIds));
      res.json({
        items: items.map((c) => presentCustomer(c, { tagNames })),
        total,
        page: query.page,
        limit: query.limit,
        ...(query.counts ? { tagCounts: Object.fromEntries(tagCounts) } : {}),
      });
    },
  }),
  route({
    method: 'post',
    path: '/customers',
    access: { permission: 'customer.write' },
    handler: async (req, res) => {
      const customer = await addCustomer(ctxOf(req), customerSchema.parse(req.body));
      res.status(201).json(await customerBody(req, customer));
    },
  }),
  route({
    method: 'post',
    path: '/customers/bulk-tags',
    access: { permission: 'customer.write' },
    handler: async (req, res) => res.json(await bulkChangeTags(ctxOf(req), bulkTagSchema.parse(req.body))),
  }),
  route({
    method: 'post',
    path: '/customers/export',
    access: { permission: 'customer.read' },
    stepUp: true,
    handler: async (req, res) => {
      const filter = customerListQuery.parse(req.body ?? {});
      startCsvDownload(res, 'customers');
      await exportCustomersCsv(ctxOf(req), filter, res);
    },
  }),
  route({
    method: 'delete',
    path: '/customers/:id',
    access: { permission: 'customer.erase' },
    stepUp: true,
    handler: async (req, res) => {
      await eraseCustomer(ctxOf(req), String(req.params.id));
      res.status(204).end();
    },
  }),
  route({
    method: 'post',
    path: '/customers/transfer',
    access: { permission: 'customer.transfer' },
    handler: async (req, res) => res.json(await transferCustomers(ctxOf(req), transferSchema.parse(req.body))),
  }),
  route({
    method: 'get',
    path: '/customers/waiting-transfer',
    access: { permission: 'customer.transfer' },
    handler: async (req, res) => res.json({ items: await listWaitingForTransfer(ctxOf(req)) }),
  }),
  route({
    method: 'get',
    path: '/customers/:id',
    access: { permission: 'customer.read' },
    handler: async (req, res) => res.json(await customerBody(req, await getCustomer(ctxOf(req), String(req.params.id)))),
  }),
  route({
    method: 'patch',
    path: '/customers/:id',
    access: { permission: 'customer.write' },
    handler: async (req, res) => {
      const ctx = ctxOf(req);
      const current = await getCustomer(ctx, String(req.params.id), 'customer.write');
      const input = customerSchema.parse({ ...customerInputOf(current), ...(req.body as object) });
      res.json(await customerBody(req, await updateCustomer(ctx, String(current._id), input)));
    },
  }),
  route({
    method: 'post',
    path: '/customers/:id/tags',
    access: { permission: 'customer.write' },
    handler: async (req, res) => res.json(await customerBody(req, await changeCustomerTags(ctxOf(req), String(req.params.id), tagChangeSchema.parse(req.body)))),
  }),
  route({
    method: 'post',
    path: '/customers/:id/share',
    access: { permission: 'customer.write' },
    handler: async (req, res) => res.json(await customerBody(req, await setCustomerSharing(ctxOf(req), String(req.params.id), shareSchema.parse(req.body)))),
  }),
  route({
    method: 'post',
    path: '/customers/:id/reveal-phone',
    access: { permission: 'customer.personal_data' },
    stepUp: true,
    handler: async (req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      res.json({ phone: await revealCustomerPhone(ctxOf(req), String(req.params.id)) });
    },
  }),
  route({
    method: 'get',
    path: '/customers/:id/timeline',
    access: { permission: 'customer.read' },
    handler: async (req, res) => {
      const events = await listTimeline(ctxOf(req), String(req.params.id));
      res.json({
        items: events.map((e) => ({ id: String(e._id), type: e.type, at: e.at.toISOString(), actor: (e.actorId as { realName?: string } | null)?.realName ?? null, data: e.data })),
      });
    },
  }),

  route({
    method: 'get',
    path: '/tags',
    access: { signedIn: true },
    handler: async (req, res) => {
      const { groups, personal } = await listTagGroups(ctxOf(req));
      res.json({ groups: groups.map((g) => presentTagGroup(g)), personal: personal.map((t) => presentTag(t)) });
    },
  }),
  route({
    method: 'post',
    path: '/tag-groups',
    access: { permission: 'tag.manage' },
    handler: async (req, res) => res.status(201).json(presentTagGroup(await createTagGroup(ctxOf(req), tagGroupSchema.parse(req.body)))),
  }),
  route({
    method: 'post',
    path: '/tag-groups/:id/tags',
    access: { permission: 'tag.manage' },
    handler: async (req, res) => {
      const tags = await addTagsToGroup(ctxOf(req), String(req.params.id), tagNamesSchema.parse(req.body).tags);
      res.status(201).json({ tags: tags.map((t) => presentTag(t)) });
    },
  }),
  route({
    method: 'patch',
    path: '/tag-groups/:id',
    access: { permission: 'tag.manage' },
    handler: async (req, res) => {
      const ctx = ctxOf(req);
      const { move, ...fields } = tagGroupUpdateSchema.parse(req.body);
      if (move) await moveTagGroup(ctx, String(req.params.id), move);
      await updateTagGroup(ctx, String(req.params.id), fields);
      const { groups } = await listTagGroups(ctx);
      res.json({ groups: groups.map((g) => presentTagGroup(g)) });
    },
  }),
  route({
    method: 'post',
    path: '/tags/personal',
    access: { permission: 'tag.personal' },
    handler: async (req, res) => res.status(201).json(presentTag(await createPersonalTag(ctxOf(req), tagRenameSchema.parse(req.body).name))),
  }),
  route({
    method: 'patch',
    path: '/tags/:id',
    access: { signedIn: true },
    handler: async (req, res) => res.json(presentTag(await renameTag(ctxOf(req), String(req.params.id), tagRenameSchema.parse(req.body).name))),
  }),
  route({
    method: 'delete',
    path: '/tags/:id',
    access: { signedIn: true },
    handler: async (req, res) => res.json(await deleteTag(ctxOf(req), String(req.params.id))),
  }),
];
