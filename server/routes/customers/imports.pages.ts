import type { RouteSpec } from '../../http/gate.js';
import { csv, page } from '../../http/surfaces.js';
import { receive, upload } from '../../http/file-surfaces.js';
import * as imports from './imports.endpoints.js';
import { importFormModel, importStatusModel, refusedImportModel, rejectionsCsv } from './imports.view.js';

/** Before the customer pages: `/customers/import…` must win over `/customers/:id`. */
export const customerImportPageRoutes: RouteSpec[] = [
  csv.get('/customers/import/template.csv', imports.downloadImportTemplate, { fileName: 'customer-import-template' }),
  page.get('/customers/import', imports.importPage, { view: 'pages/customers/import', model: (_none, { t }) => importFormModel(t) }),
  upload.form('/customers/import', imports.startImportForm, {
    receive: receive.csvForm((started) => started.done),
    view: 'pages/customers/import',
    model: ({ error, t }) => refusedImportModel(error, t),
    redirect: ({ importId }) => `/customers/imports/${importId}`,
  }),
  page.get('/customers/imports/:id', imports.showImport, { view: 'pages/customers/import-status', model: (job, { t }) => importStatusModel(job, t) }),
  csv.get('/customers/imports/:id/rejected.csv', imports.importRejections, {
    fileName: 'rejected-rows',
    write: (rows, { locale }) => rejectionsCsv(rows, locale),
  }),
];
