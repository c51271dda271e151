// Benchmark (not a test) of the app's memory while it receives pictures: N clerks each post a maximal moments form
// (POST /moments, multipart) at the same moment, through the real app on loopback, the clients in a child process.
// Two kinds of form: `junk` is the reported case (files x MB of random bytes: received whole, then refused), and
// `pictures` is the largest form accepted (9 pictures just under 10 MB that decode, stored with thumbnails).
// Prints, per kind, the app's resident memory at rest, its peak while the forms arrive, and the ratio of the two.
// npx tsx scripts/bench/uploads.ts [--uploads 6] [--files 10] [--mb 10] [--kind both|junk|pictures]
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchCleanup, closeServer, openBenchDatabase, positiveInt } from './common.js';
import type { UploadCommand, UploadReply } from './upload-clients.js';
import { loadConfig } from '../../server/config.js';
import { createLogger } from '../../server/logger.js';
import type { OpenDatabase } from '../../server/db/open.js';
import { createApp } from '../../server/app.js';
import { Organization } from '../../server/models/organization.js';
import { Store } from '../../server/models/store.js';
import { Staff } from '../../server/models/staff.js';
import { hashPassword } from '../../server/services/auth/passwords.js';
import { socialLimits } from '../../server/domain/settings.js';

const BENCH_DB = 'storelink_bench_uploads';
const PASSWORD = 'storelink-bench-password';

const { values: args } = parseArgs({
  options: {
    uploads: { type: 'string', default: '6' },
    files: { type: 'string', default: '10' },
    mb: { type: 'string', default: '10' },
    kind: { type: 'string', default: 'both' },
  },
});
const UPLOADS = positiveInt('uploads', args.uploads);
const FILES = positiveInt('files', args.files);
const MB = positiveInt('mb', args.mb);
if (!['both', 'junk', 'pictures'].includes(args.kind!)) {
  process.stderr.write('--kind must be both, junk or pictures\n');
  process.exit(2);
}
const KINDS = (args.kind === 'both' ? ['junk', 'pictures'] : [args.kind]) as UploadCommand['kind'][];

const out = (line = '') => process.stdout.write(`${line}\n`);
const mib = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;

/** This process's resident memory now and its high-water mark, in kB, from /proc (Linux). */
function memory(): { rss: number; peak: number } {
  const status = fs.readFileSync('/proc/self/status', 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

/** Starts the high-water mark again from the current size (writing 5 to clear_refs), so each kind has its own peak. */
function resetPeak(): boolean {
  try {
    fs.writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/** A signed-in browser of a clerk: its cookies and the CSRF token of the moments form. */
async function signInClerk(base: string, login: string): Promise<{ cookie: string; csrf: string }> {
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      jar.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const tokenIn = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
  const loginPage = await fetch(`${base}/login`);
  keep(loginPage);
  const loggedIn = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie() },
    body: new URLSearchParams({ _csrf: tokenIn(await loginPage.text()), login, password: PASSWORD }),
  });
  if (loggedIn.status !== 303) throw new Error(`login as ${login} answered ${loggedIn.status}`);
  keep(loggedIn);
  const form = await fetch(`${base}/moments`, { headers: { Cookie: cookie() } });
  keep(form);
  return { cookie: cookie(), csrf: tokenIn(await form.text()) };
}

function runClients(cmd: UploadCommand): Promise<UploadReply> {
  const child = fork(fileURLToPath(new URL('./upload-clients.ts', import.meta.url)), [], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (reply: UploadReply) => resolve(reply));
    child.once('exit', (code) => (code ? reject(new Error(`the clients exited with ${code}`)) : undefined));
    child.send(cmd);
  });
}

let db: OpenDatabase | undefined;
let server: http.Server | undefined;
const cleanup = benchCleanup(BENCH_DB, { db: () => db, before: () => closeServer(server) });

try {
  db = await openBenchDatabase(BENCH_DB, 'ephemeral', createLogger('warn'));
  const { app } = await createApp(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), createLogger('silent'));
  server = http.createServer(app);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const org = await Organization.create({ name: 'Bench uploads' });
  const store = await Store.create({ orgId: org._id, name: 'Bench store' });
  const passwordHash = await hashPassword(PASSWORD);
  const clerks = await Staff.insertMany(
    Array.from({ length: UPLOADS }, (_, i) => ({
      orgId: org._id,
      login: `bench-clerk-${i}`,
      passwordHash,
      realName: `Clerk ${i}`,
      roles: ['clerk'],
      storeId: store._id,
    })),
  );
  const senders = [];
  for (const clerk of clerks) senders.push(await signInClerk(base, clerk.login));

  out();
  out('== Storelink picture uploads: the app’s memory under concurrent maximal forms ==');
  out(`database kind      ${db.kind}`);
  out(`forms              ${UPLOADS} at once, one per clerk (POST /moments, multipart), clients in a child process`);
  for (const kind of KINDS) {
    const files = kind === 'junk' ? FILES : socialLimits.postImagesMax;
    global.gc?.();
    const rest = memory().rss;
    const peakReset = resetPeak();
    const reply = await runClients({ baseUrl: base, senders, files, mb: MB, kind });
    const { peak } = memory();
    out();
    out(
      kind === 'junk'
        ? `-- junk: ${files} files x ${MB} MB of random bytes per form (received, then refused)`
        : `-- pictures: ${files} pictures of just under ${MB} MB per form that decode (stored with thumbnails)`,
    );
    out(
      `answers            ${Object.entries(reply.statuses)
        .map(([status, n]) => `${n} x ${status}`)
        .join(', ')} in ${reply.seconds.toFixed(1)} s`,
    );
    out(`RSS at rest        ${mib(rest)}`);
    out(`peak RSS           ${mib(peak)}${peakReset ? '' : ' (whole run: /proc/self/clear_refs was not writable)'}`);
    out(`ratio peak/rest    ${(peak / rest).toFixed(2)} (+${mib(peak - rest)}, ${mib((peak - rest) / UPLOADS)} per form)`);
  }
} catch (err) {
  process.stderr.write(`benchmark failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
