import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';

const root = path.resolve(import.meta.dirname, '../..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(relative);
    return entry.name.endsWith('.ts') ? [relative] : [];
  });
}

const appSources = [...sourceFiles('server'), ...sourceFiles('jobs')];

/**
 * Every document the app stores is the one a normal create stores (defaults, timestamps, validation): a lean or
 * driver-level insert once left customers without createdAt or sharedWith, which crashed the export and the API.
 * Bulk writers go through server/db/bulk-insert.ts; this keeps any other path from coming back.
 */
describe('write paths', () => {
  it('has no lean insertMany and no driver-level insert or upsert outside the bulk-insert module', () => {
    const offences: string[] = [];
    for (const file of appSources) {
      if (file === path.join('server', 'db', 'bulk-insert.ts')) continue;
      const text = fs.readFileSync(path.join(root, file), 'utf8');
      text.split('\n').forEach((line, i) => {
        const where = `${file}:${i + 1}: ${line.trim()}`;
        if (/insertMany\([^)]*lean:\s*true/.test(line) || /\blean:\s*true\b/.test(line)) offences.push(where);
        if (/\.collection\.(insertOne|insertMany|replaceOne)\(/.test(line) || /\.collection(\([^)]*\))?\.\w+\([^)]*upsert:\s*true/.test(line))
          offences.push(where);
      });
      // A driver bulkWrite may update, never insert.
      if (/\.collection\.bulkWrite\(/.test(text) && /insertOne:|upsert:\s*true|replaceOne:/.test(text)) offences.push(`${file}: driver bulkWrite that inserts`);
    }
    expect(offences).toEqual([]);
  });

  // Two requests upserting one new record collide on its unique key; engines other than MongoDB also undo one of them
  // for a transient conflict (FerretDB's deadlocks), and the request would fail for nothing.
  it('runs every upsert through a retry of collisions and transient conflicts', () => {
    const offences: string[] = [];
    for (const file of appSources) {
      const lines = fs.readFileSync(path.join(root, file), 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (!/upsert:\s*true/.test(line)) return;
        const statement = lines.slice(Math.max(0, i - 8), i + 1).join('\n');
        if (!/(upsertRetryingOnce|retryingTransientConflicts)\(/.test(statement)) offences.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offences).toEqual([]);
  });

  it('finds the offences it is meant to find', () => {
    // The patterns above must match the very code that caused the defect.
    expect(/insertMany\([^)]*lean:\s*true/.test('await Customer.insertMany(toInsert, { ordered: false, lean: true })')).toBe(true);
    expect(/\.collection\.(insertOne|insertMany|replaceOne)\(/.test('await FollowupTask.collection.insertMany(docs, { ordered: false })')).toBe(true);
  });
});
