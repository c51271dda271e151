import type { Readable, Writable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';

/** What a spreadsheet may run as a formula when a cell starts with it (OWASP's list). */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A plain number (an E.164 phone, an amount) is no formula, whatever its sign. */
const PLAIN_NUMBER = /^[+-]?\d+(\.\d+)?$/;

/**
 * The one function every cell of every CSV the app writes goes through: text a spreadsheet would run as a formula
 * gets a leading apostrophe, which Excel and WPS show as text and the import takes off again (`readCell`).
 */
export function neutraliseCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

/** A cell as the import reads it: the apostrophe that `neutraliseCell` added is taken off. */
export function readCell(value: string): string {
  return value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}

/** Excel opens UTF-8 CSV correctly only with a byte order mark. */
const BOM = '\uFEFF';

/**
 * Streams rows as CSV with a header (constant memory), every cell neutralised. A row that cannot be turned into
 * cells fails the pipeline, so the caller's request fails (and is logged) instead of the error escaping the stream.
 */
export async function writeCsv<T>(rows: AsyncIterable<T> | Readable, columns: readonly string[], toCells: (row: T) => unknown[], out: Writable): Promise<void> {
  const toRow = new Transform({
    objectMode: true,
    transform(row: T, _enc, done) {
      let cells: string[];
      try {
        cells = toCells(row).map(neutraliseCell);
      } catch (err) {
        done(err as Error);
        return;
      }
      done(null, cells);
    },
  });
  out.write(BOM);
  await pipeline(rows, toRow, stringify({ header: true, columns: columns.map(neutraliseCell) }), out);
}
