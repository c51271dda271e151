import { MongoBulkWriteError } from 'mongodb';
import mongoose, { type Model } from 'mongoose';
import { isTransientWriteConflict, TRANSIENT_ATTEMPTS } from './write-conflicts.js';

/** Why one document of a bulk insert was refused: the database's code (a duplicate key is 11000), or `invalid` with the paths the schema refused. */
export type RefusedInsert = { code: number | 'invalid' | undefined; message: string; invalidPaths?: string[] };

/**
 * The document `Model.create` would store (cast, defaults, validated, timestamps, version key), built without a
 * round trip. Bulk writers insert through the driver for speed; they store no less than a normal create does, so
 * every reader and presenter meets the same document whichever path wrote it. Throws Mongoose's ValidationError.
 */
export async function completeDocument<T>(model: Model<T>, fields: object): Promise<Record<string, unknown>> {
  const doc = new model(fields);
  await doc.validate();
  const versionKey = model.schema.get('versionKey');
  if (typeof versionKey === 'string') doc.set(versionKey, 0);
  // Only schemas with timestamps have the method; a given createdAt is kept, as Mongoose's own insertMany keeps it.
  (doc as { initializeTimestamps?: () => unknown }).initializeTimestamps?.();
  return doc.toObject({ depopulate: true, virtuals: false, getters: false, transform: false, versionKey: true }) as Record<string, unknown>;
}

/** The kinds of path whose value one cast and its validators decide alone (no subdocument, array or mixed value). */
const SCALAR_PATHS = new Set(['String', 'Number', 'Boolean', 'Date', 'ObjectId', 'ObjectID']);

type ScalarPath = mongoose.SchemaType & {
  applySetters(value: unknown, scope: unknown, init: boolean): unknown;
  doValidate(value: unknown, scope: unknown): Promise<void>;
  doValidateSync(value: unknown, scope: unknown): Error | null;
  validators: { type?: string }[];
};

/** Mongoose's own validators, which answer at once; a schema's own (`validate`) may answer later, so it is awaited. */
const BUILT_IN_VALIDATORS = new Set(['required', 'enum', 'min', 'max', 'minlength', 'maxlength', 'regexp']);

/** Validates a value as a create would: at once (throwing) when only built-in validators apply, else the promise to await. */
function validatePath(type: ScalarPath, value: unknown, scope: unknown): Promise<void> | undefined {
  if (!type.validators.every((validator) => validator.type && BUILT_IN_VALIDATORS.has(validator.type))) return type.doValidate(value, scope);
  const refused = type.doValidateSync(value, scope);
  if (refused) throw refused;
  return undefined;
}

/**
 * `completeDocument` for each of `docs` merged over `shared` (the fields every one of them has alike: a post's
 * deliveries share the organisation, the post, the time), answering each document or why it was refused. The shared
 * fields are cast, defaulted and validated once, as one document; each document's own fields are then cast and
 * validated through their schema paths, the same setters and validators a create runs, without building a document
 * each. A document with a field that is not a plain value of the schema (a subdocument, an array) or is also shared,
 * or that one of its fields refuses, is completed on its own by `completeDocument`, which then says exactly why (or
 * stores what it would have stored); so is every document when `shared` is not given (`{}` shares nothing but still
 * completes the documents through one template). Only for schemas whose defaults and validators read no other field
 * (`this`): the shared fields are decided without the documents' own.
 */
export async function completeDocumentsSharing<T>(
  model: Model<T>,
  shared: object | undefined,
  docs: object[],
): Promise<({ doc: Record<string, unknown> } | { refused: RefusedInsert })[]> {
  const alone = async (fields: object) => {
    try {
      return { doc: await completeDocument(model, { ...shared, ...fields }) };
    } catch (err) {
      if (!(err instanceof mongoose.Error.ValidationError)) throw err;
      return { refused: { code: 'invalid' as const, message: err.message, invalidPaths: Object.keys(err.errors) } };
    }
  };
  const eachAlone = async () => {
    const completed = [];
    for (const fields of docs) completed.push(await alone(fields));
    return completed;
  };
  if (!shared) return eachAlone();
  const scalarPath = (path: string) => {
    const type = model.schema.path(path) as ScalarPath | undefined;
    return type && !(path in shared) && SCALAR_PATHS.has(type.instance) ? type : undefined;
  };
  const fitsTemplate = docs.map((fields) => Object.keys(fields).every((path) => scalarPath(path)));
  const ownPaths = [...new Set(docs.flatMap((fields, i) => (fitsTemplate[i] ? Object.keys(fields) : [])))];
  if (!ownPaths.length) return eachAlone();
  const types = ownPaths.map((path) => scalarPath(path)!);
  const template = new model(shared);
  try {
    await template.validate({ pathsToSkip: ownPaths });
  } catch (err) {
    // Every document would be refused for the shared fields: each is told why, as a create would tell it.
    if (err instanceof mongoose.Error.ValidationError) return eachAlone();
    throw err;
  }
  const versionKey = model.schema.get('versionKey');
  if (typeof versionKey === 'string') template.set(versionKey, 0);
  (template as { initializeTimestamps?: () => unknown }).initializeTimestamps?.();
  const base = template.toObject({ depopulate: true, virtuals: false, getters: false, transform: false, versionKey: true }) as Record<string, unknown>;
  const completed: ({ doc: Record<string, unknown> } | { refused: RefusedInsert })[] = [];
  for (const [index, fields] of docs.entries()) {
    const given = fields as Record<string, unknown>;
    const own: Record<string, unknown> = {};
    try {
      // A document lacking one of the others' fields gets no value from the template: it is completed on its own.
      if (!fitsTemplate[index] || Object.keys(given).length !== ownPaths.length) throw new Error('not the same fields');
      for (const [i, path] of ownPaths.entries()) {
        const value = types[i]!.applySetters(given[path], template, false);
        const pending = validatePath(types[i]!, value, template);
        if (pending) await pending;
        own[path] = value;
      }
    } catch {
      completed.push(await alone(fields));
      continue;
    }
    completed.push({ doc: { ...base, _id: new mongoose.Types.ObjectId(), ...own } });
  }
  return completed;
}

/**
 * Inserts complete documents unordered, each succeeding or failing on its own under the collection's unique indexes.
 * Answers the refused ones by their index in `docs`; a failure of the whole batch (network, server) throws, since
 * nothing can be said of any document then. With `shared`, each document is `docs[i]` over `shared`, and the shared
 * fields are validated once (completeDocumentsSharing).
 */
export async function insertDocuments<T>(model: Model<T>, docs: object[], shared?: object): Promise<Map<number, RefusedInsert>> {
  const refused = new Map<number, RefusedInsert>();
  const complete: Record<string, unknown>[] = [];
  const positions: number[] = [];
  for (const [index, outcome] of (await completeDocumentsSharing(model, shared, docs)).entries()) {
    if ('refused' in outcome) refused.set(index, outcome.refused);
    else {
      complete.push(outcome.doc);
      positions.push(index);
    }
  }
  if (!complete.length) return refused;
  try {
    await model.collection.insertMany(complete, { ordered: false });
  } catch (err) {
    if (!(err instanceof MongoBulkWriteError)) throw err;
    const writeErrors = Array.isArray(err.writeErrors) ? err.writeErrors : err.writeErrors ? [err.writeErrors] : [];
    if (!writeErrors.length) throw err;
    for (const writeError of writeErrors)
      refused.set(positions[writeError.index]!, {
        code: typeof writeError.code === 'number' ? writeError.code : undefined,
        message: writeError.errmsg ?? 'write error',
      });
  }
  return refused;
}

/**
 * As insertDocuments, where the only acceptable refusal is an existing document (a duplicate key): a document refused
 * for a transient conflict (PostgreSQL under FerretDB breaking a deadlock between concurrent inserts) is inserted
 * again, a few times; anything else throws (nothing else should be refused there). Duplicates by their index in `docs`.
 */
export async function insertNewDocuments<T>(model: Model<T>, docs: object[], shared?: object): Promise<{ inserted: number; duplicates: number[] }> {
  const duplicates: number[] = [];
  let pending = docs.map((_, index) => index);
  for (let attempt = 1; pending.length; attempt++) {
    const again: number[] = [];
    const refused = await insertDocuments(
      model,
      pending.map((index) => docs[index]!),
      shared,
    );
    for (const [at, refusal] of refused) {
      if (refusal.code === 11000) duplicates.push(pending[at]!);
      else if (attempt < TRANSIENT_ATTEMPTS && isTransientWriteConflict({ code: refusal.code })) again.push(pending[at]!);
      else throw Object.assign(new Error(refusal.message), { code: refusal.code });
    }
    pending = again;
  }
  return { inserted: docs.length - duplicates.length, duplicates: duplicates.sort((x, y) => x - y) };
}
