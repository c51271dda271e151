import type { RouteSpec } from '../../http/gate.js';
import { api, csv } from '../../http/surfaces.js';
import { receive, upload } from '../../http/file-surfaces.js';
import { presentImport } from '../../presenters/customer-import.js';
import * as imports from './imports.endpoints.js';
import { importPath, rejectionsCsv, startedImportPayload } from './imports.view.js';

/** /api/v1/customers/imports: the CSV is the body (`Content-Type: text/csv`), the policy in the address. */
export const customerImportApiRoutes: RouteSpec[] = [
  // Before `/customers/imports/:id`, which would take `template` for an id.
  csv.get('/customers/imports/template', imports.downloadImportTemplate, { fileName: 'customer-import-template' }),
  upload.api('/customers/imports', imports.startImportApi, {
    receive: receive.csv((started) => started.done),
    status: 202,
    location: ({ importId }) => importPath(importId),
    present: ({ importId }, { ctx }) => startedImportPayload(ctx, importId),
  }),
  api.get('/customers/imports/:id', imports.showImport, { present: (job) => presentImport(job) }),
  csv.get('/customers/imports/:id/rejected', imports.importRejections, { fileName: 'rejected-rows', write: (rows, { locale }) => rejectionsCsv(rows, locale) }),
];
