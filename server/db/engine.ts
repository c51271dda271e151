import type { Db } from 'mongodb';
import type { DatabaseKind } from './resolve.js';

/** The engine behind a connection, by name and version, for benchmarks and diagnostics: what answered, not what was asked for. */
export async function describeEngine(db: Db, kind: DatabaseKind): Promise<string> {
  if (kind === 'standin') return 'mongo-java-server stand-in (a test double: unique indexes only, not for data that matters)';
  const info = (await db.admin().command({ buildInfo: 1 })) as { version?: string; ferretdb?: { version?: string; package?: string } };
  if (info.ferretdb) return `FerretDB ${info.ferretdb.version ?? '?'} over PostgreSQL with DocumentDB (wire version of MongoDB ${info.version ?? '?'})`;
  return `MongoDB ${info.version ?? '?'}`;
}
