import { z } from 'zod';
import { route, ctxOf, type RouteSpec } from '../define.js';
import { receiveRawCsv } from '../uploads.js';
import { startCustomerImport, getCustomerImport, listImportRejections } from '../../services/customers/import.js';
import { importPolicies } from '../../models/customer-import.js';
import { presentImport, writeRejectionsCsv } from '../../presenters/customer-import.js';
import { startCsvDownload } from '../csv-download.js';
import { csv } from '../../http/surfaces.js';
import { downloadImportTemplate } from '../customers/imports.endpoints.js';

const importQuery = z.object({ policy: z.enum(importPolicies).default('skip') });

export const customerImportApiRoutes: RouteSpec[] = [
  // Before `/customers/imports/:id`, which would take `template` for an id.
  csv.get('/customers/imports/template', downloadImportTemplate, { fileName: 'customer-import-template' }),
  route({
    method: 'post',
    path: '/customers/imports',
    access: { permission: 'customer.write' },
    handler: async (req, res) => {
      const { policy } = importQuery.parse(req.query);
      const file = await receiveRawCsv(req);
      try {
        const { importId, done } = await startCustomerImport(ctxOf(req), { filePath: file.filePath, fileName: file.fileName, policy });
        void done.finally(file.remove);
        res.status(202).location(`/api/v1/customers/imports/${importId}`).json(presentImport(await getCustomerImport(ctxOf(req), importId)));
      } catch (err) {
        file.remove();
        throw err;
      }
    },
  }),
  route({
    method: 'get',
    path: '/customers/imports/:id',
    access: { permission: 'customer.write' },
    handler: async (req, res) => res.json(presentImport(await getCustomerImport(ctxOf(req), String(req.params.id)))),
  }),
  route({
    method: 'get',
    path: '/customers/imports/:id/rejected',
    access: { permission: 'customer.write' },
    handler: async (req, res) => {
      const rows = await listImportRejections(ctxOf(req), String(req.params.id));
      startCsvDownload(res, 'rejected-rows');
      await writeRejectionsCsv(rows, res, req.locale);
    },
  }),
];
