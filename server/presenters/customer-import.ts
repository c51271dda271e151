import type { Writable } from 'node:stream';
import type { CustomerImportDoc, ImportRejectionDoc } from '../models/customer-import.js';
import { i18n } from '../i18n/index.js';
import { csvColumns } from '../domain/customer-csv.js';
import { writeCsv } from '../domain/csv.js';

/** An import is "interrupted" when it still says running but has not moved for a while (its process died). */
const STALE_MS = 2 * 60_000;

export function presentImport(doc: CustomerImportDoc) {
  const interrupted = doc.status === 'running' && Date.now() - doc.updatedAt.getTime() > STALE_MS;
  return {
    id: String(doc._id),
    fileName: doc.fileName,
    policy: doc.policy,
    status: interrupted ? 'interrupted' : doc.status,
    running: doc.status === 'running' && !interrupted,
    totalRows: doc.totalRows,
    processed: doc.processed,
    percent: doc.totalRows ? Math.floor((doc.processed / doc.totalRows) * 100) : 0,
    created: doc.created,
    updated: doc.updated,
    skipped: doc.skipped,
    rejected: doc.rejected,
    error: doc.error ?? null,
    createdAt: doc.createdAt.toISOString(),
    finishedAt: doc.finishedAt ? doc.finishedAt.toISOString() : null,
  };
}

/** `phone:phone;birthday:invalid_date` -> "phone: 手机号无效。 birthday: 日期不存在…" in the reader's language. */
export function describeReason(reason: string, lng: string): string {
  return reason
    .split(';')
    .filter(Boolean)
    .map((part) => {
      const [field = '', codes = ''] = part.split(':');
      return `${field}: ${codes
        .split('+')
        .map((code) => i18n.t([`validation.${code}`, 'validation.invalid'], { lng }))
        .join(' ')}`;
    })
    .join(' ');
}

/** The rejected rows as CSV: line, reason, then the row as it was, so it can be fixed and imported again. */
export async function writeRejectionsCsv(rows: AsyncIterable<ImportRejectionDoc>, out: Writable, lng: string): Promise<void> {
  await writeCsv(rows, ['line', 'reason', ...csvColumns], (r) => [r.line, describeReason(r.reason, lng), ...csvColumns.map((c) => r.row[c] ?? '')], out);
}
