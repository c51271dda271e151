import type { Writable } from 'node:stream';
import { endpoint } from '../../http/endpoint.js';
import { writeImportTemplate } from '../../services/customers/import-template.js';

/** The CSV template of the customer import, served on the import page and by the API alike. */
export const downloadImportTemplate = endpoint({
  access: { permission: 'customer.write' },
  run: (ctx) => (out: Writable) => writeImportTemplate(ctx, out),
});
