// What every benchmark script shares: its flags, and a database of its own that it may drop.
import type { Logger } from 'pino';
import type http from 'node:http';
import { mongoose } from '../../server/db/connect.js';
import { openDatabase, type OpenDatabase } from '../../server/db/open.js';
import { describeEngine } from '../../server/db/engine.js';
import { installRuntime } from '../../server/runtime.js';

export function positiveInt(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`--${name} must be a positive integer (got "${raw}")\n`);
    process.exit(2);
  }
  return n;
}

/** The same URI with its database swapped for the bench one, so MONGODB_URI never points the drops at real data. */
export function benchUri(uri: string | undefined, benchDb: string): string | undefined {
  if (!uri) return undefined;
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/([^?]*))?(?:\?(.*))?$/.exec(uri);
  if (!match) throw new Error('MONGODB_URI is not a mongodb:// or mongodb+srv:// URI');
  const [, base, dbPath, query] = match;
  const params = new URLSearchParams(query ?? '');
  // With credentials, the path database is also the default auth database: keep authenticating against it.
  if (base!.includes('@') && dbPath && !params.has('authSource')) params.set('authSource', decodeURIComponent(dbPath));
  const qs = params.toString();
  return `${base}/${benchDb}${qs ? `?${qs}` : ''}`;
}

export async function dropBenchDatabase(benchDb: string): Promise<void> {
  // The guard matters more than the drop: never drop anything but the bench database.
  if (mongoose.connection.name !== benchDb) throw new Error(`refusing to drop "${mongoose.connection.name}": connected to the wrong database`);
  await mongoose.connection.dropDatabase();
}

/**
 * The bench database, empty, with the indexes the models declare (dropping takes them along).
 * `ephemeral`: without MONGODB_URI a throwaway server of its own, so big data never lands in the developer's .data
 * files or in a running app's server.
 */
/** The bench database and the engine that answers it by name and version (benchmarks print it beside their figures). */
export type BenchDatabase = OpenDatabase & { engine: string };

export async function openBenchDatabase(benchDb: string, mode: 'ephemeral' | 'persistent', log: Logger): Promise<BenchDatabase> {
  // The app's process-local state, as main.ts installs it (every bench runs the services in its own process).
  installRuntime();
  const opened = await openDatabase({ mongodbUri: benchUri(process.env.MONGODB_URI, benchDb), mode, log, dbName: benchDb });
  const db = { ...opened, engine: await describeEngine(mongoose.connection.db!, opened.kind) };
  process.stdout.write(`database: ${db.kind} (${benchDb}): ${db.engine}\n`);
  await dropBenchDatabase(benchDb);
  await Promise.all(Object.values(mongoose.models).map((model) => model.createIndexes()));
  return db;
}

/**
 * The end of a benchmark, on success, failure or Ctrl-C: `before` stops what the script started (servers, clients),
 * then the bench database is dropped (unless kept) and closed. Runs once however often it is called.
 */
export function benchCleanup(benchDb: string, opts: { db: () => OpenDatabase | undefined; before?: () => Promise<void>; keep?: boolean }): () => Promise<void> {
  let cleaned: Promise<void> | undefined;
  const cleanup = () =>
    (cleaned ??= (async () => {
      await opts.before?.();
      const db = opts.db();
      if (!db) return;
      if (!opts.keep) await dropBenchDatabase(benchDb).catch((err: Error) => process.stderr.write(`could not drop ${benchDb}: ${err.message}\n`));
      await db.close();
    })());
  process.once('SIGINT', () => {
    process.stderr.write(`\ninterrupted${opts.keep ? '' : ': dropping the bench database'}\n`);
    void cleanup().finally(() => process.exit(130));
  });
  return cleanup;
}

/** Closes an HTTP server the script listens on, cutting keep-alive connections. */
export async function closeServer(server: http.Server | undefined): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
