import { route, ctxOf, type RouteSpec } from '../define.js';
import { flash } from '../flash.js';
import { transferSchema } from '../customers/customers.schema.js';
import { listWaitingForTransfer, transferCustomers } from '../../services/customers/transfer.js';
import { listTransferTargets } from '../../services/org/staff.js';
import { tr } from '../translate.js';


export const customerTransferPageRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/customers/transfers',
    access: { permission: 'customer.transfer' },
    handler: async (req, res) => {
      const ctx = ctxOf(req);
      const [waiting, targets] = await Promise.all([listWaitingForTransfer(ctx), listTransferTargets(ctx)]);
      res.render('pages/customers/transfers', { title: tr(req, 'transfer.title'), waiting, targets: targets.map((s) => ({ id: String(s._id), name: s.realName })) });
    },
  }),
  route({
    method: 'post',
    path: '/customers/transfer',
    access: { permission: 'customer.transfer' },
    handler: async (req, res) => {
      const parsed = transferSchema.safeParse(req.body);
      const ids = ([] as unknown[]).concat((req.body ?? {}).customerIds ?? []);
      if (!parsed.success) {
        flash(req, 'danger', 'transfer.chooseTarget');
        return res.redirect(303, ids.length === 1 ? `/customers/${String(ids[0])}` : '/customers/transfers');
      }
      const input = parsed.data;
      const result = await transferCustomers(ctxOf(req), input);
      flash(req, result.moved ? 'success' : 'info', 'transfer.moved', { count: result.moved });
      for (const refused of result.refused) flash(req, 'danger', 'transfer.refused', { name: refused.name, date: refused.movableFrom });
      if (result.groupsMoved) flash(req, 'success', 'transfer.groupsMoved', { count: result.groupsMoved });
      const back = input.customerIds.length === 1 ? `/customers/${input.customerIds[0]}` : '/customers/transfers';
      res.redirect(303, back);
    },
  }),
];
