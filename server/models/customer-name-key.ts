import { pinyin } from 'pinyin-pro';
import type { Schema, Query } from 'mongoose';

/**
 * The name as the customer list sorts it: Chinese characters as toneless pinyin (a leading character read as a
 * surname, so 单 is "shan" and 曾 "zeng"), everything lower-cased, one space between syllables: 李 "li", 李娜
 * "li na", Alice 王 "alice wang". Names file under their first letter as in a phone's contact list. Stored and
 * indexed instead of sorting under a zh collation, which not every MongoDB-compatible server has (FerretDB does not).
 */
export function nameKeyOf(name: string): string {
  return pinyin(name, { toneType: 'none', type: 'array', nonZh: 'consecutive', surname: 'head' })
    .map((part) => part.trim().toLowerCase())
    .filter(Boolean)
    .join(' ');
}

type Update = Record<string, unknown> & { $set?: Record<string, unknown>; $setOnInsert?: Record<string, unknown> };

/** Adds `nameKey` beside every `name` an update writes (plain, $set, $setOnInsert). */
function withNameKey(update: Update | null | undefined): void {
  if (!update || Array.isArray(update)) return;
  if (typeof update.name === 'string') update.nameKey = nameKeyOf(update.name);
  for (const op of ['$set', '$setOnInsert'] as const) {
    const fields = update[op];
    if (fields && typeof fields.name === 'string') fields.nameKey = nameKeyOf(fields.name);
  }
}

/** Keeps `nameKey` in step with `name` on every write path of the model: save, insertMany (lean too), updates, bulkWrite. */
export function nameKeyPlugin(schema: Schema): void {
  schema.add({ nameKey: { type: String, default: '' } });
  schema.pre('validate', function () {
    const name = this.get('name') as unknown;
    if (typeof name === 'string' && (this.isModified('name') || !this.get('nameKey'))) this.set('nameKey', nameKeyOf(name));
  });
  schema.pre('insertMany', function (docs: unknown) {
    for (const doc of Array.isArray(docs) ? docs : [docs]) {
      if (doc && typeof doc === 'object' && typeof (doc as { name?: unknown }).name === 'string' && typeof (doc as { $isNew?: unknown }).$isNew !== 'boolean') {
        (doc as { nameKey?: string }).nameKey = nameKeyOf((doc as { name: string }).name);
      }
    }
  });
  for (const op of ['updateOne', 'updateMany', 'findOneAndUpdate', 'replaceOne', 'findOneAndReplace'] as const) {
    schema.pre(op, function (this: Query<unknown, unknown>) {
      withNameKey(this.getUpdate() as Update | null);
    });
  }
  schema.pre('bulkWrite', function (ops: unknown) {
    for (const op of (ops as Record<string, { update?: Update; document?: Update; replacement?: Update }>[]) ?? []) {
      for (const write of Object.values(op)) {
        withNameKey(write.update);
        withNameKey(write.document);
        withNameKey(write.replacement);
      }
    }
  });
}
