import type { Writable } from 'node:stream';
import { endpoint } from '../../http/endpoint.js';
import { writeImportTemplate } from '../../services/customers/import-template.js';
import { getCustomerImport, listImportRejections, startCustomerImport } from '../../services/customers/import.js';
import { importApiBody, importApiQuery, importFormBody, importParams } from './imports.schema.js';

/** Customer imports from CSV: the same use cases for the import page and the API. */

const write = { permission: 'customer.write' } as const;

/** The CSV template of the customer import, served on the import page and by the API alike. */
export const downloadImportTemplate = endpoint({
  access: write,
  run: (ctx) => (out: Writable) => writeImportTemplate(ctx, out),
});

/** The empty import form (its choices are the model's). */
export const importPage = endpoint({ access: write, run: async () => null });

/** Checks the whole file, then imports in the background: `done` settles when it ends, and the file is kept until then. */
export const startImportApi = endpoint({
  access: write,
  input: { query: importApiQuery, body: importApiBody },
  run: (ctx, { query, body: { file } }) => startCustomerImport(ctx, { filePath: file.filePath, fileName: file.fileName, policy: query.policy }),
});

export const startImportForm = endpoint({
  access: write,
  input: { body: importFormBody },
  run: (ctx, { body: { file, policy } }) => startCustomerImport(ctx, { filePath: file.filePath, fileName: file.fileName, policy }),
});

export const showImport = endpoint({
  access: write,
  input: { params: importParams },
  run: (ctx, { params }) => getCustomerImport(ctx, params.id),
});

export const importRejections = endpoint({
  access: write,
  input: { params: importParams },
  run: (ctx, { params }) => listImportRejections(ctx, params.id),
});
