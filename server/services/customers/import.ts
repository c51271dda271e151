import fs from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import { DateTime } from 'luxon';
import { Customer, type CustomerDoc } from '../../models/customer.js';
import { CustomerImport, ImportRejection, type CustomerImportDoc, type ImportPolicy } from '../../models/customer-import.js';
import { Tag } from '../../models/tag.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { authorize, can, scopeOf } from '../../policies/permissions.js';
import type { ServiceContext } from '../context.js';
import { toObjectId } from '../ids.js';
import { getOrgSettings } from '../org/settings.js';
import { usableTagFilter } from '../tags/tags.js';
import { judgeCustomerFields } from './customer.schema.js';
import { birthdayMonthDays } from './birthdays.js';
import { futureBirthdayFields, personalFields } from './customer-fields.js';
import { parseBirthday, parseRelatives, splitList } from './csv-format.js';
import { chineseHeaders, columnOfHeader, csvColumns, exportOnlyColumns, genderWords, rejectionOnlyColumns, sourceWords } from '../../domain/customer-csv.js';
import { readCell } from '../../domain/csv.js';
import { mongoose } from '../../db/connect.js';
import { logger } from '../../logger.js';
import { insertDocuments } from '../../db/bulk-insert.js';

const BATCH = 1000;

export type CsvEncoding = 'utf-8' | 'gb18030';

const notText = () => new ValidationError({ file: ['csv_encoding'] }, 'The file is neither UTF-8 nor GB18030/GBK text.');

/**
 * UTF-8 (with or without a byte order mark) when every byte of the file is UTF-8; otherwise GB18030, which covers
 * the GBK that Excel on Chinese Windows saves. A whole-file look, since one GBK name may sit on the last row.
 */
export async function detectCsvEncoding(filePath: string): Promise<CsvEncoding> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const stream = fs.createReadStream(filePath);
  try {
    for await (const chunk of stream) decoder.decode(chunk as Buffer, { stream: true });
    decoder.decode();
    return 'utf-8';
  } catch {
    return 'gb18030';
  } finally {
    stream.destroy();
  }
}

/**
 * Turns the file's bytes into UTF-8 for the parser, refusing what is not text in that encoding (bytes GB18030 has no
 * character for, or the NULs of a UTF-16 file) instead of importing garbled names.
 */
class DecodeCsv extends Transform {
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });
  private readonly gb18030;
  constructor(private readonly encoding: CsvEncoding) {
    super();
    this.gb18030 = encoding === 'gb18030' ? iconv.getDecoder('gb18030') : null;
  }
  private pass(text: string, bytes: Buffer | null, done: TransformCallback) {
    if (text.includes('\uFFFD') || text.includes('\u0000')) return done(notText());
    done(null, bytes ?? Buffer.from(text, 'utf8'));
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
    let text: string;
    try {
      text = this.gb18030 ? this.gb18030.write(chunk) : this.utf8.decode(chunk, { stream: true });
    } catch {
      return done(notText());
    }
    this.pass(text, this.gb18030 ? null : chunk, done);
  }
  override _flush(done: TransformCallback) {
    let text: string;
    try {
      text = this.gb18030 ? (this.gb18030.end() ?? '') : this.utf8.decode();
    } catch {
      return done(notText());
    }
    this.pass(text, this.gb18030 ? null : Buffer.alloc(0), done);
  }
}

function csvRows(filePath: string, encoding: CsvEncoding) {
  const parser = parse({ bom: true, columns: (header: string[]) => checkHeader(header), skip_empty_lines: true, trim: true, relax_column_count: false });
  // Errors anywhere in the chain (reading, encoding) surface where the rows are read.
  pipeline(fs.createReadStream(filePath), new DecodeCsv(encoding), parser).catch((err: unknown) => parser.destroy(err as Error));
  return parser;
}

function checkHeader(header: string[]): string[] {
  const columns = header.map(columnOfHeader);
  const unknown = header.filter((_, i) => !columns[i]).map((h) => h.trim());
  const twice = columns.filter((c, i) => c && columns.indexOf(c) !== i);
  if (!columns.includes('name') || !columns.includes('phone') || unknown.length || twice.length) {
    const accepted = [...csvColumns, ...exportOnlyColumns, ...rejectionOnlyColumns].map((c) => `${chineseHeaders[c]} (${c})`).join(', ');
    throw new ValidationError(
      { file: ['csv_header'] },
      `The header must have 姓名 (name) and 手机号 (phone), each column once, and only: ${accepted}. Unknown: ${unknown.join(', ') || 'none'}${twice.length ? `; twice: ${twice.join(', ')}` : ''}.`,
    );
  }
  return columns as string[];
}

/** Pass one, before anything is written: encoding, header and quoting of the whole file. Answers the number of rows. */
export async function checkCustomerCsv(filePath: string): Promise<{ rows: number; encoding: CsvEncoding }> {
  const encoding = await detectCsvEncoding(filePath);
  let rows = 0;
  try {
    for await (const _row of csvRows(filePath, encoding)) rows += 1;
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    const line = (err as { lines?: number }).lines;
    throw new ValidationError({ file: ['csv_malformed'] }, `The CSV is malformed${line ? ` near line ${line}` : ''}: ${(err as Error).message}`);
  }
  if (rows === 0) throw new ValidationError({ file: ['csv_empty'] }, 'The file has no customer rows.');
  return { rows, encoding };
}

type PreparedDoc = Record<string, unknown> & { _id: mongoose.Types.ObjectId; phone: string };
type Prepared = { line: number; row: Record<string, string>; doc?: PreparedDoc; reason?: string };

function reasonOf(fields: Record<string, string[]>): string {
  return Object.entries(fields)
    .map(([field, codes]) => `${field}:${codes.join('+')}`)
    .join(';');
}

/** Turns one CSV row into a customer document, or a reason (field:code pairs) why not. */
function prepare(
  line: number,
  row: Record<string, string>,
  env: {
    tagIdsByName: Map<string, mongoose.Types.ObjectId>;
    today: DateTime;
    actorId: mongoose.Types.ObjectId;
    placement: { ownerId: mongoose.Types.ObjectId | null; storeId: mongoose.Types.ObjectId | null };
  },
): Prepared {
  const birthday = parseBirthday(row.birthday ?? '');
  const relatives = parseRelatives(row.relatives ?? '').map((r) => ({ relation: r.relation, name: r.name, birthday: parseBirthday(r.birthday) }));
  const tagNames = splitList(row.tags ?? '');
  const unknownTags = tagNames.filter((name) => !env.tagIdsByName.has(name));
  const fields: Record<string, string[]> = {};
  if (birthday === 'invalid') fields.birthday = ['invalid_date'];
  relatives.forEach((r, i) => r.birthday === 'invalid' && (fields[`relatives.${i}.birthday`] = ['invalid_date']));
  if (unknownTags.length) fields.tags = ['unknown_tag'];
  const gender = genderWords[(row.gender ?? '').trim().toLowerCase()];
  if (!gender) fields.gender = ['invalid_value'];
  // One imported row's fields, judged by the same rules as the form's and the API's.
  const judged = judgeCustomerFields({
    name: row.name ?? '',
    phone: row.phone ?? '',
    gender: gender ?? 'unknown',
    birthday: birthday === 'invalid' ? null : birthday,
    relatives: relatives.map((r) => ({ ...r, birthday: r.birthday === 'invalid' ? null : r.birthday })),
    notes: row.notes ?? '',
    source: sourceWords[(row.source ?? '').trim()] ?? (row.source || 'import'),
  });
  if ('fieldErrors' in judged) Object.assign(fields, judged.fieldErrors);
  else for (const field of futureBirthdayFields(judged.customer, env.today)) fields[field] = ['birthday_in_future'];
  if ('fieldErrors' in judged || Object.keys(fields).length) return { line, row, reason: reasonOf(fields) };
  return {
    line,
    row,
    doc: {
      _id: new mongoose.Types.ObjectId(),
      ...personalFields(judged.customer),
      tagIds: tagNames.map((name) => env.tagIdsByName.get(name)!),
      ...env.placement,
      createdBy: env.actorId,
    },
  };
}

const isEmpty = (v: unknown) => v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0) || v === 'unknown';
const fillable = ['name', 'gender', 'birthday', 'relatives', 'notes', 'tagIds'] as const;

/**
 * Pass two: rows in batches. New numbers are inserted; existing ones are skipped or, with `fill_empty`, get only
 * the fields they lack (and only within the importer's reach). The unique index on the number makes a re-run after a
 * crash safe: nothing is created twice. Progress is written after each batch.
 */
async function runImport(ctx: ServiceContext, importDoc: CustomerImportDoc, filePath: string, encoding: CsvEncoding): Promise<void> {
  const orgId = toObjectId(ctx.orgId);
  const { timezone } = await getOrgSettings(ctx);
  const tags = await Tag.find(usableTagFilter(ctx), { name: 1 }).lean();
  const tagIdsByName = new Map<string, mongoose.Types.ObjectId>();
  for (const tag of tags) if (!tagIdsByName.has(tag.name)) tagIdsByName.set(tag.name, tag._id);
  const scope = scopeOf(ctx.actor, 'customer.write');
  const placement = {
    ownerId: scope === 'own' || ctx.actor.roles.includes('clerk') ? toObjectId(ctx.actor.id) : null,
    storeId: ctx.actor.storeId ? toObjectId(ctx.actor.storeId) : null,
  };
  const env = { tagIdsByName, today: DateTime.now().setZone(timezone), placement, actorId: toObjectId(ctx.actor.id) };
  const inReach = (c: Pick<CustomerDoc, 'ownerId' | 'storeId'>) =>
    can(ctx.actor, 'customer.write', { ownerId: c.ownerId ? String(c.ownerId) : null, storeId: c.storeId ? String(c.storeId) : null });

  let batch: Prepared[] = [];
  let line = 1;
  const seen = new Set<string>();
  const flush = async () => {
    const counts = { processed: batch.length, created: 0, updated: 0, skipped: 0, rejected: 0 };
    const rejections: Prepared[] = batch.filter((p) => p.reason);
    const valid = batch.filter((p) => p.doc);
    const fresh: Prepared[] = [];
    for (const p of valid) {
      const phone = p.doc!.phone;
      if (seen.has(phone)) rejections.push({ ...p, reason: 'phone:duplicate_in_file' });
      else fresh.push(p);
      seen.add(phone);
    }
    // Numbers already stored are found by one indexed read per batch rather than by inserts failing on the unique
    // index (a failed insert costs FerretDB a row-by-row retry); one that appears meanwhile still fails its insert.
    const known = (await Customer.find({ orgId, phone: { $in: fresh.map((p) => p.doc!.phone) } }, { phone: 1 }).lean()).map((c) => c.phone);
    const knownSet = new Set(known);
    const inserting = fresh.filter((p) => !knownSet.has(p.doc!.phone));
    // Each document is the one a single add would store (defaults, timestamps, validation, the name's sort key).
    const toInsert = inserting.map((p) => ({ ...p.doc!, orgId }));
    const duplicates: string[] = [...known];
    const refused = await insertDocuments(Customer, toInsert);
    for (const [index, why] of refused) {
      if (why.code === 11000) duplicates.push(toInsert[index]!.phone);
      else if (why.code === 'invalid')
        rejections.push({ ...inserting[index]!, reason: (why.invalidPaths ?? []).map((path) => `${path}:invalid_value`).join(';') });
      else throw Object.assign(new Error(why.message), { code: why.code });
    }
    counts.created += toInsert.length - refused.size;
    if (duplicates.length && importDoc.policy === 'skip') counts.skipped += duplicates.length;
    else if (duplicates.length) {
      const existing = await Customer.find({ orgId, phone: { $in: duplicates } }).lean<CustomerDoc[]>();
      const incoming = new Map(fresh.map((p) => [p.doc!.phone, p.doc!]));
      const updates = [];
      for (const current of existing) {
        const doc = incoming.get(current.phone)!;
        const set = inReach(current) ? Object.fromEntries(fillable.filter((f) => isEmpty(current[f]) && !isEmpty(doc[f])).map((f) => [f, doc[f]])) : {};
        if (set.birthday || set.relatives)
          set.birthdayMds = birthdayMonthDays(
            (set.birthday ?? current.birthday) as CustomerDoc['birthday'],
            (set.relatives ?? current.relatives) as CustomerDoc['relatives'],
          );
        if (Object.keys(set).length === 0) counts.skipped += 1;
        else updates.push({ updateOne: { filter: { _id: current._id, orgId }, update: { $set: set } } });
      }
      if (updates.length) {
        const { modifiedCount } = await Customer.bulkWrite(updates, { ordered: false });
        counts.updated += modifiedCount;
        counts.skipped += updates.length - modifiedCount;
      }
    }
    if (rejections.length) {
      counts.rejected = rejections.length;
      await ImportRejection.insertMany(rejections.map((p) => ({ orgId, importId: importDoc._id, line: p.line, row: p.row, reason: p.reason })));
    }
    await CustomerImport.updateOne({ _id: importDoc._id, orgId }, { $inc: counts });
    batch = [];
  };

  for await (const row of csvRows(filePath, encoding)) {
    line += 1;
    const cells = Object.fromEntries(Object.entries(row as Record<string, string>).map(([key, value]) => [key, readCell(value)]));
    batch.push(prepare(line, cells, env));
    if (batch.length >= BATCH) await flush();
  }
  if (batch.length) await flush();
}

/**
 * Checks the whole file, records the import, then imports in the background; `done` settles when it ends
 * (the route answers at once and the page follows the progress).
 */
export async function startCustomerImport(
  ctx: ServiceContext,
  input: { filePath: string; fileName: string; policy: ImportPolicy },
): Promise<{ importId: string; done: Promise<void> }> {
  authorize(ctx.actor, 'customer.write');
  const { rows: totalRows, encoding } = await checkCustomerCsv(input.filePath);
  const importDoc = (
    await CustomerImport.create({ orgId: toObjectId(ctx.orgId), actorId: toObjectId(ctx.actor.id), fileName: input.fileName, policy: input.policy, totalRows })
  ).toObject();
  const done = runImport(ctx, importDoc, input.filePath, encoding).then(
    () => CustomerImport.updateOne({ _id: importDoc._id, orgId: importDoc.orgId }, { $set: { status: 'done', finishedAt: new Date() } }).then(() => undefined),
    async (err: unknown) => {
      logger.error({ err, importId: String(importDoc._id) }, 'customer import failed');
      await CustomerImport.updateOne(
        { _id: importDoc._id, orgId: importDoc.orgId },
        { $set: { status: 'failed', error: (err as Error).message.slice(0, 500), finishedAt: new Date() } },
      );
    },
  );
  return { importId: String(importDoc._id), done };
}

export async function getCustomerImport(ctx: ServiceContext, importId: string): Promise<CustomerImportDoc> {
  authorize(ctx.actor, 'customer.write');
  const doc = await CustomerImport.findOne({
    _id: toObjectId(importId, 'import'),
    orgId: toObjectId(ctx.orgId),
    actorId: toObjectId(ctx.actor.id),
  }).lean<CustomerImportDoc>();
  if (!doc) throw new NotFoundError('No such import');
  return doc;
}

export async function listImportRejections(ctx: ServiceContext, importId: string) {
  const doc = await getCustomerImport(ctx, importId);
  return ImportRejection.find({ orgId: doc.orgId, importId: doc._id }).sort({ line: 1 }).lean().cursor();
}
