import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { promisify } from 'node:util';
import { MongoClient } from 'mongodb';
import type { Logger } from 'pino';
import { rootDir } from '../paths.js';
import { freePort, stablePorts } from './ports.js';

/**
 * The embedded real database: FerretDB (MongoDB wire protocol) in front of PostgreSQL 15 with the DocumentDB
 * extension, as installed by `npm run db:install` (scripts/db/install.sh). Both run on free loopback ports as
 * children of this process and stop with it, even when it is killed: each runs under a shell that shuts it down
 * when this process's end of its stdin closes.
 */
const run = promisify(execFile);

export type FerretdbInstallation = { ferretdb: string; pgBinDir: string; key: string };

/** Where db:install builds the engine; independent of STORELINK_DATA_DIR, so one install serves every data folder. */
export function engineDir(): string {
  return path.resolve(process.env.STORELINK_ENGINE_DIR ?? path.join(rootDir, '.data', 'engine'));
}

/** The installation db:install recorded, if its files are still there. */
export function ferretdbInstallation(): FerretdbInstallation | undefined {
  let stamp: FerretdbInstallation;
  try {
    stamp = JSON.parse(fs.readFileSync(path.join(engineDir(), 'installed.json'), 'utf8')) as FerretdbInstallation;
  } catch {
    return undefined;
  }
  const present = [stamp.ferretdb, path.join(stamp.pgBinDir, 'postgres'), path.join(stamp.pgBinDir, 'initdb')].every((file) => fs.existsSync(file));
  return present ? stamp : undefined;
}

export type FerretdbHandle = {
  uriBase: string;
  /** The folder holding PostgreSQL's data (pgdata/), FerretDB's state and both logs. */
  dir: string;
  /** The two server processes (PostgreSQL's postmaster, FerretDB): a test may SIGKILL them to crash the database. */
  pids: { postgres: number; ferretdb: number };
  stop(): Promise<void>;
};

type RunAs = { uid: number; gid: number } | undefined;

/** PostgreSQL refuses to run as root: under root it runs as the `postgres` system user that Debian's package creates. */
function postgresUser(): RunAs {
  if (process.getuid?.() !== 0) return undefined;
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) throw new Error('PostgreSQL cannot run as root and there is no "postgres" user (run npm run db:install)');
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

// The server runs under a shell that prints its pid, ends when it ends, and shuts it down (SIGINT: PostgreSQL's fast
// shutdown, FerretDB's graceful stop) when its stdin closes: on stop(), or when this process dies, however it dies.
// (A background job's stdin is /dev/null unless redirected: the watcher reads the shell's stdin through fd 3.)
const WATCHDOG =
  'exec 3<&0; log=$1; shift; "$@" 3<&- >>"$log" 2>&1 & child=$!; echo "$child"; (cat <&3 >/dev/null; kill -INT "$child" 2>/dev/null) & exec 3<&-; wait "$child"';

type Supervised = { child: ChildProcess; pid: Promise<number>; exited: Promise<void>; log: string };

function supervise(command: string, args: string[], logFile: string, runAs: RunAs): Supervised {
  const child = spawn('sh', ['-c', WATCHDOG, 'storelink-db', logFile, command, ...args], {
    stdio: ['pipe', 'pipe', 'ignore'],
    // Its own process group: Ctrl-C in a terminal reaches the app, which stops the database in order.
    detached: true,
    ...(runAs ?? {}),
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const pid = new Promise<number>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once('line', (line) => resolve(Number(line)));
    void exited.then(() => reject(new Error(`${command} did not start`)));
  });
  pid.catch(() => undefined);
  child.stdin!.on('error', () => undefined);
  return { child, pid, exited, log: logFile };
}

async function stopSupervised(s: Supervised): Promise<void> {
  s.child.stdin!.end();
  if (s.child.exitCode !== null || s.child.signalCode !== null) return;
  const timer = setTimeout(() => killGroup(s.child.pid!, 'SIGKILL'), 30_000);
  await s.exited;
  clearTimeout(timer);
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').slice(-1500);
  } catch {
    return '';
  }
}

/** Resolves once `ready()` holds, or rejects when the server exits first or the time is up. */
async function waitUntil(s: Supervised, what: string, ready: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  let exited = false;
  void s.exited.then(() => (exited = true));
  const deadline = Date.now() + timeoutMs;
  while (!exited && Date.now() < deadline) {
    if (await ready()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} ${exited ? 'exited' : `did not start within ${timeoutMs / 1000} s`}: ${tail(s.log)}`);
}

/** What a cluster whose data must survive a crash sets: acknowledged means durable, every commit waits for its WAL to reach the disk. */
const DURABLE_WAL = `
fsync = on
synchronous_commit = on
full_page_writes = on`;

/**
 * A test run's cluster is thrown away with the run, crash or not: no commit waits for the disk, which on a loaded CI
 * machine is a few milliseconds per write. What FerretDB and PostgreSQL answer is the same either way.
 */
const THROWAWAY_WAL = `
fsync = off
synchronous_commit = off
full_page_writes = off`;

/**
 * PostgreSQL settings: WAL durability as PostgreSQL ships it unless the cluster is a throwaway one, and DocumentDB's
 * as FerretDB's own image sets them.
 */
const postgresqlConf = (durable: boolean) => `
# Storelink: PostgreSQL for FerretDB (server/db/ferretdb.ts). Port and sockets are given on the command line.
listen_addresses = '127.0.0.1'
max_connections = 200
shared_buffers = 256MB${durable ? DURABLE_WAL : THROWAWAY_WAL}
max_wal_size = 2GB
# DocumentDB's cost estimates would have PostgreSQL JIT-compile ordinary queries, costing more than it saves.
jit = off
shared_preload_libraries = 'pg_cron,pg_documentdb_core,pg_documentdb'
cron.database_name = 'postgres'
# DocumentDB's background jobs run every second or so: no row and no log line for each run.
cron.log_run = off
cron.log_statement = off
documentdb.enableCompact = true
documentdb.enableLetAndCollationForQueryMatch = true
documentdb.enableNowSystemVariable = true
documentdb.enableSortbyIdPushDownToPrimaryKey = true
documentdb.enableSchemaValidation = true
documentdb.enableBypassDocumentValidation = true
documentdb.enableUserCrud = true
documentdb.maxUserLimit = 100
`;

/** Creates the cluster on first use; our settings live in storelink.conf, rewritten at every start so they follow the code. */
async function prepareCluster(install: FerretdbInstallation, pgdata: string, runAs: RunAs, log: Logger, durable: boolean): Promise<void> {
  if (!fs.existsSync(path.join(pgdata, 'PG_VERSION'))) {
    log.info({ pgdata }, 'creating the PostgreSQL cluster for FerretDB');
    fs.rmSync(pgdata, { recursive: true, force: true });
    await run(
      path.join(install.pgBinDir, 'initdb'),
      ['-D', pgdata, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-instructions'],
      runAs ?? {},
    );
    fs.appendFileSync(path.join(pgdata, 'postgresql.conf'), "\ninclude = 'storelink.conf'\n");
  }
  const conf = path.join(pgdata, 'storelink.conf');
  fs.writeFileSync(conf, postgresqlConf(durable));
  if (runAs) fs.chownSync(conf, runAs.uid, runAs.gid);
}

/**
 * Starts PostgreSQL and FerretDB with their data in `dir` (kept), or in a fresh temporary folder removed by stop().
 * The first start of a folder creates the cluster and the DocumentDB extension. `durable: false` (a test run's
 * throwaway server) lets commits return before their WAL is on disk.
 */
export async function startFerretdb(opts: { dir?: string; log: Logger; durable?: boolean }): Promise<FerretdbHandle> {
  const install = ferretdbInstallation();
  if (!install) throw new Error('FerretDB is not installed (npm run db:install)');
  const runAs = postgresUser();
  const ephemeral = !opts.dir;
  const dir = opts.dir ? path.resolve(opts.dir) : fs.mkdtempSync(path.join(os.tmpdir(), 'storelink-ferretdb-'));
  fs.mkdirSync(dir, { recursive: true });
  if (runAs) {
    fs.chownSync(dir, runAs.uid, runAs.gid);
    if (spawnSync('test', ['-w', dir], runAs).status !== 0) {
      throw new Error(
        `PostgreSQL runs as the "postgres" user, which cannot reach ${dir}: let it through the folders above (chmod o+x) or set STORELINK_DATA_DIR`,
      );
    }
  }
  const pgdata = path.join(dir, 'pgdata');
  const servers: Supervised[] = [];
  const stopAll = async () => {
    for (const s of servers.reverse()) await stopSupervised(s);
    if (ephemeral) fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await prepareCluster(install, pgdata, runAs, opts.log, opts.durable ?? true);
    const ports = ephemeral
      ? { postgres: await freePort(), ferretdb: await freePort(), debug: await freePort() }
      : await stablePorts(dir, ['postgres', 'ferretdb', 'debug'] as const);
    const pgPort = ports.postgres;
    const postgres = supervise(
      path.join(install.pgBinDir, 'postgres'),
      ['-D', pgdata, '-p', String(pgPort), '-k', ''],
      path.join(dir, 'postgresql.log'),
      runAs,
    );
    servers.push(postgres);
    const pgIsReady = path.join(install.pgBinDir, 'pg_isready');
    await waitUntil(postgres, 'PostgreSQL', async () => spawnSync(pgIsReady, ['-q', '-h', '127.0.0.1', '-p', String(pgPort), '-U', 'postgres']).status === 0);
    await run(path.join(install.pgBinDir, 'psql'), [
      '-q',
      '-h',
      '127.0.0.1',
      '-p',
      String(pgPort),
      '-U',
      'postgres',
      '-d',
      'postgres',
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      'CREATE EXTENSION IF NOT EXISTS documentdb CASCADE',
    ]);

    const [port, debugPort] = [ports.ferretdb, ports.debug];
    const stateDir = path.join(dir, 'ferretdb-state');
    fs.mkdirSync(stateDir, { recursive: true });
    const ferretdb = supervise(
      install.ferretdb,
      [
        `--postgresql-url=postgres://postgres@127.0.0.1:${pgPort}/postgres`,
        `--listen-addr=127.0.0.1:${port}`,
        `--debug-addr=127.0.0.1:${debugPort}`,
        '--no-auth',
        '--telemetry=disable',
        `--state-dir=${stateDir}`,
        '--log-level=warn',
      ],
      path.join(dir, 'ferretdb.log'),
      undefined,
    );
    servers.push(ferretdb);
    const uriBase = `mongodb://127.0.0.1:${port}`;
    await waitUntil(ferretdb, 'FerretDB', async () => {
      const client = new MongoClient(uriBase, { serverSelectionTimeoutMS: 500, directConnection: true });
      try {
        await client.db('admin').command({ ping: 1 });
        return true;
      } catch {
        return false;
      } finally {
        await client.close().catch(() => undefined);
      }
    });
    opts.log.info({ uri: uriBase, dir, postgresPort: pgPort }, 'FerretDB and PostgreSQL started');
    return { uriBase, dir, pids: { postgres: await postgres.pid, ferretdb: await ferretdb.pid }, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
