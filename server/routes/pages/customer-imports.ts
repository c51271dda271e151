import type { Request } from 'express';
import { route, ctxOf, type RouteSpec } from '../define.js';
import { receiveMultipartCsv } from '../uploads.js';
import { startCsvDownload } from '../csv-download.js';
import { startCustomerImport, getCustomerImport, listImportRejections } from '../../services/customers/import.js';
import { importPolicies } from '../../models/customer-import.js';
import { presentImport, writeRejectionsCsv } from '../../presenters/customer-import.js';
import { toAppError } from '../../middlewares/errors.js';
import { ValidationError } from '../../errors.js';
import { tr } from '../translate.js';
import { csv } from '../../http/surfaces.js';
import { downloadImportTemplate } from '../customers/imports.endpoints.js';


/** File problems (header, encoding, quoting) read better with the parser's own detail (which line, which columns). */
function describeFileError(req: Request, err: ValidationError): string {
  const code = err.fields.file?.[0];
  return code ? `${tr(req, `validation.${code}`)} ${err.message}` : tr(req, err.messageKey);
}

export const customerImportPageRoutes: RouteSpec[] = [
  csv.get('/customers/import/template.csv', downloadImportTemplate, { fileName: 'customer-import-template' }),
  route({
    method: 'get',
    path: '/customers/import',
    access: { permission: 'customer.write' },
    handler: (req, res) => res.render('pages/customers/import', { title: tr(req, 'import.title'), policies: importPolicies, values: { policy: 'skip' } }),
  }),
  route({
    method: 'post',
    path: '/customers/import',
    access: { permission: 'customer.write' },
    handler: async (req, res) => {
      const rerender = (err: unknown) => {
        const appError = toAppError(err);
        if (!appError || appError.status >= 500 || appError.status === 403) throw err;
        res.status(appError.status).render('pages/customers/import', {
          title: tr(req, 'import.title'),
          policies: importPolicies,
          values: { policy: 'skip' },
          formError: appError instanceof ValidationError ? describeFileError(req, appError) : tr(req, appError.messageKey, appError.messageParams),
        });
      };
      let file;
      try {
        file = await receiveMultipartCsv(req);
      } catch (err) {
        return rerender(err);
      }
      const received = file;
      try {
        const policy = importPolicies.find((p) => p === received.fields.policy) ?? 'skip';
        const { importId, done } = await startCustomerImport(ctxOf(req), { filePath: received.filePath, fileName: received.fileName, policy });
        void done.finally(received.remove);
        res.redirect(303, `/customers/imports/${importId}`);
      } catch (err) {
        received.remove();
        rerender(err);
      }
    },
  }),
  route({
    method: 'get',
    path: '/customers/imports/:id',
    access: { permission: 'customer.write' },
    handler: async (req, res) => {
      const view = presentImport(await getCustomerImport(ctxOf(req), String(req.params.id)));
      res.render('pages/customers/import-status', { title: tr(req, 'import.statusTitle'), job: view, refreshSeconds: view.running ? 1 : null });
    },
  }),
  route({
    method: 'get',
    path: '/customers/imports/:id/rejected.csv',
    access: { permission: 'customer.write' },
    handler: async (req, res) => {
      const rows = await listImportRejections(ctxOf(req), String(req.params.id));
      startCsvDownload(res, 'rejected-rows');
      await writeRejectionsCsv(rows, res, req.locale);
    },
  }),
];
