import type { Writable } from 'node:stream';
import type { AppError } from '../../errors.js';
import { ValidationError } from '../../errors.js';
import type { ServiceContext } from '../../services/context.js';
import type { CustomerImportDoc } from '../../models/customer-import.js';
import { importPolicies } from '../../domain/vocabulary.js';
import { getCustomerImport, type listImportRejections } from '../../services/customers/import.js';
import { presentImport, writeRejectionsCsv } from '../../presenters/customer-import.js';

/** View models of the import pages and payloads of the import API. */

type T = (key: string, params?: Record<string, unknown>) => string;

/** The form starts (and, refused, starts again) on the default policy. */
export const importFormModel = (t: T) => ({ title: t('import.title'), policies: importPolicies, values: { policy: 'skip' } });

/** File problems (header, encoding, quoting) read better with the parser's own detail (which line, which columns). */
function describeRefusal(error: AppError, t: T): string {
  const code = error instanceof ValidationError ? error.fields.file?.[0] : undefined;
  if (code) return `${t(`validation.${code}`)} ${error.message}`;
  return error instanceof ValidationError ? t(error.messageKey) : t(error.messageKey, error.messageParams);
}

export const refusedImportModel = (error: AppError, t: T) => ({ ...importFormModel(t), formError: describeRefusal(error, t) });

export function importStatusModel(job: CustomerImportDoc, t: T) {
  const view = presentImport(job);
  return { title: t('import.statusTitle'), job: view, refreshSeconds: view.running ? 1 : null };
}

/** The API answers a started import with its state, read back as the status address gives it. */
export async function startedImportPayload(ctx: ServiceContext, importId: string) {
  return presentImport(await getCustomerImport(ctx, importId));
}

export const importPath = (importId: string) => `/api/v1/customers/imports/${importId}`;

/** The rejected rows, their reasons in the reader's language. */
export const rejectionsCsv = (rows: Awaited<ReturnType<typeof listImportRejections>>, locale: string) => (out: Writable) =>
  writeRejectionsCsv(rows, out, locale);
