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
      // Calls may span lines (the formatter breaks long ones): each pattern runs over the whole file, within a statement.
      const patterns = [
        /insertMany\([^;]*?lean:\s*true/g,
        /\blean:\s*true\b/g,
        /\.collection\.(insertOne|insertMany|replaceOne)\(/g,
        /\.collection(\([^)]*\))?\.\w+\([^;]*?upsert:\s*true/g,
      ];
      for (const pattern of patterns) {
        for (const match of text.matchAll(pattern)) {
          const line = text.slice(0, match.index).split('\n').length;
          offences.push(`${file}:${line}: ${match[0].split('\n')[0]!.trim()}`);
        }
      }
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
        // The statement holding the upsert: back to the line after the previous statement's end (or a blank line).
        let start = i;
        while (start > 0 && start > i - 40 && !/;\s*$|^\s*$/.test(lines[start - 1]!)) start -= 1;
        const statement = lines.slice(start, i + 1).join('\n');
        if (!/(upsertRetryingOnce|retryingTransientConflicts)\(/.test(statement)) offences.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offences).toEqual([]);
  });

  it('finds the offences it is meant to find', () => {
    // The patterns above must match the very code that caused the defect.
    expect(/insertMany\([^)]*lean:\s*true/.test('await Customer.insertMany(toInsert, { ordered: false, lean: true })')).toBe(true);
    expect(/\.collection\.(insertOne|insertMany|replaceOne)\(/.test('await FollowupTask.collection.insertMany(docs, { ordered: false })')).toBe(true);
    // Over lines, as the formatter writes a long call.
    expect(
      /\.collection(\([^)]*\))?\.\w+\([^;]*?upsert:\s*true/.test("db.collection('x').updateOne(\n  { key },\n  { $set: {} },\n  { upsert: true },\n);"),
    ).toBe(true);
    expect(/insertMany\([^;]*?lean:\s*true/.test('await Customer.insertMany(toInsert, {\n  ordered: false,\n  lean: true,\n});')).toBe(true);
  });
});
