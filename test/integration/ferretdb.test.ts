// The embedded FerretDB engine itself (npm run db:install): data kept across restarts, and acknowledged means durable.
import { describe, expect, it, afterEach } from '@jest/globals';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { MongoClient, ObjectId } from 'mongodb';
import { io as connectSocket } from 'socket.io-client';
import { resolveDatabase } from '../../server/db/resolve.js';
import { ferretdbInstallation, startFerretdb, type FerretdbHandle } from '../../server/db/ferretdb.js';
import { connectMongoose, disconnectMongoose } from '../../server/db/connect.js';
import { createLogger } from '../../server/logger.js';
import { rootDir } from '../../server/paths.js';
import { configureSignedTokens } from '../../server/services/auth/signed-tokens.js';
import { startVisitor } from '../../server/services/chat/visitors.js';
import { createOrgWithTeam } from '../factories.js';
import { createChannel } from '../setup/chat.js';
import { ChatSync } from '../../client/shared/chat-sync.js';

const log = createLogger('silent');
const saved = { ...process.env };
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  process.env = { ...saved };
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storelink-ferret-test-'));
  fs.chmodSync(dir, 0o755); // PostgreSQL (the postgres user under root) must reach the data folder inside
  cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** The database dies as in a power cut: FerretDB, PostgreSQL's postmaster and every backend at once, by SIGKILL. */
function crash(db: FerretdbHandle): void {
  const backends = execFileSync('ps', ['-o', 'pid=', '--ppid', String(db.pids.postgres)], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map(Number);
  for (const pid of [db.pids.postgres, ...backends, db.pids.ferretdb]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* a backend that ended as its client went */
    }
  }
}

/** The app as `npm start` runs it, in a process of its own, on the given database. */
async function startApp(mongodbUri: string, secret: string): Promise<{ child: ChildProcess; baseUrl: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(rootDir, 'server', 'main.ts')], {
    cwd: rootDir,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      MONGODB_URI: mongodbUri,
      SESSION_SECRET: secret,
      PORT: '0',
      HOST: '127.0.0.1',
      SEED_DEMO: 'never',
      LOG_LEVEL: 'warn',
      STORELINK_DATA_DIR: tempDir(),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /running at http:\/\/localhost:(\d+)/.exec(line);
      if (match) resolve(`http://127.0.0.1:${match[1]}`);
    });
    child.once('exit', (code) => reject(new Error(`the app exited with ${code}: ${stderr}`)));
  });
  return { child, baseUrl };
}

describe('the embedded FerretDB engine', () => {
  it('is installed (npm run db:install), as tests and CI require', () => {
    expect(ferretdbInstallation()).toBeDefined();
  });

  it('keeps the data of npm start (persistent mode) and its address across restarts', async () => {
    const dataDir = tempDir();
    process.env.STORELINK_DATA_DIR = dataDir;
    process.env.STORELINK_SKIP_EMBEDDED_MONGOD = 'true';
    const first = await resolveDatabase({ mode: 'persistent', dbName: 'storelink', log, advertise: true });
    expect(first.kind).toBe('ferretdb');
    expect(first.reason).toMatch(/FerretDB over PostgreSQL/);
    // The recorded address names the app's database, so a second process or a client given it lands in the same one.
    const recorded = JSON.parse(fs.readFileSync(path.join(dataDir, 'db-address.json'), 'utf8'));
    expect(recorded).toMatchObject({ uri: first.uri, kind: 'ferretdb', pid: process.pid });
    expect(new URL(recorded.uri).pathname).toBe('/storelink');
    const marker = crypto.randomBytes(6).toString('hex');
    const client = new MongoClient(first.uri);
    await client.db().collection('restarts').insertOne({ marker });
    await client.close();
    await first.stop();
    expect(fs.existsSync(path.join(dataDir, 'db-address.json'))).toBe(false);

    const second = await resolveDatabase({ mode: 'persistent', dbName: 'storelink', log });
    cleanups.push(() => second.stop());
    expect(second.kind).toBe('ferretdb');
    expect(second.uri).toBe(first.uri); // the same port again, since it was free
    const again = new MongoClient(second.uri);
    expect(await again.db().collection('restarts').findOne({ marker })).toMatchObject({ marker });
    await again.close();

    // A port taken meanwhile is not waited for: the next start takes another.
    await second.stop();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(Number(new URL(first.uri).port), '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => blocker.close(resolve)));
    const third = await resolveDatabase({ mode: 'persistent', dbName: 'storelink', log });
    cleanups.push(() => third.stop());
    expect(third.uri).not.toBe(first.uri);
  }, 120_000);

  it('keeps every acknowledged chat message when the app and the database are killed (SIGKILL) under traffic, and numbers on without re-use or gaps', async () => {
    const dir = tempDir();
    const secret = crypto.randomBytes(32).toString('hex');
    let db = await startFerretdb({ dir, log });
    cleanups.push(() => db.stop());
    const uri = `${db.uriBase}/storelink_durability`;

    await connectMongoose(uri);
    const { org } = await createOrgWithTeam();
    const channel = await createChannel(org._id, { routing: 'manual' });
    configureSignedTokens(secret);
    const visitors = await Promise.all(Array.from({ length: 4 }, (_, i) => startVisitor(channel.key, { name: `访客${i}`, phone: '' })));
    await disconnectMongoose();

    const connect = async (baseUrl: string, token: string) => {
      const socket = connectSocket(`${baseUrl}/customer`, { auth: { token }, transports: ['websocket'], forceNew: true, reconnection: false });
      cleanups.push(async () => socket.close());
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      return new ChatSync({ socket, side: 'customer', onError: () => undefined });
    };

    let app = await startApp(uri, secret);
    const killApp = (child: ChildProcess) => async () => {
      child.kill('SIGKILL');
      await exited(child);
    };
    cleanups.push(killApp(app.child));
    // Each customer sends one message after another, as fast as acknowledgements come, until the crash.
    const acknowledged: { text: string; seq: number; sessionId: string }[] = [];
    let crashed = false;
    const senders = visitors.map(async ({ token }, v) => {
      const customer = await connect(app.baseUrl, token);
      for (let i = 0; !crashed; i += 1) {
        const text = `消息 ${v}-${i}`;
        const sent = await customer.send(text).catch(() => null);
        if (!sent) break;
        acknowledged.push({ text, seq: sent.message.seq, sessionId: sent.session.id });
      }
    });
    const trafficUntil = Date.now() + 30_000;
    while (acknowledged.length < 40 && Date.now() < trafficUntil) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(acknowledged.length).toBeGreaterThanOrEqual(40);

    // Nothing gets a chance to flush: the app and every database process die at once, mid-traffic.
    crashed = true;
    app.child.kill('SIGKILL');
    crash(db);
    // A send in flight at the crash is never acknowledged (the client would send it again on reconnecting).
    const acked = [...acknowledged];
    await Promise.all([exited(app.child), db.stop()]);
    void senders;

    db = await startFerretdb({ dir, log });
    const client = new MongoClient(`${db.uriBase}/storelink_durability`);
    cleanups.push(() => client.close());
    const messages = client.db().collection('chatmessages');
    const stored = new Map((await messages.find({}).toArray()).map((m) => [m.text as string, m]));
    expect(acked.filter(({ text, seq }) => stored.get(text)?.seq !== seq)).toEqual([]);

    // The app comes back on the same data: every session numbers on from its last stored message, with no gap.
    app = await startApp(`${db.uriBase}/storelink_durability`, secret);
    cleanups.push(killApp(app.child));
    for (const [v, { token }] of visitors.entries()) {
      const customer = await connect(app.baseUrl, token);
      const after = await customer.send(`重启后 ${v}`);
      const seqs = (await messages.find({ sessionId: new ObjectId(after.session.id) }).toArray()).map((m) => m.seq as number).sort((a, b) => a - b);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0]! + i));
      expect(after.message.seq).toBe(seqs.at(-1));
    }
  }, 180_000);
});
