// Benchmark of the customer list filtered by tags (the "list-with-tag-filter page latency" issue); it reports, it is not a test.
// npx tsx scripts/bench/customers.ts [--customers 100000] [--connections 20] [--duration 10]
import { benchCleanup, closeServer, openBenchDatabase, positiveInt, type BenchDatabase } from './common.js';
import { percentile } from './measure.js';
import { seededRandom } from '../../server/services/seed/demo.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { loadConfig } from '../../server/config.js';
import { createLogger } from '../../server/logger.js';
import { mongoose } from '../../server/db/connect.js';
import { createApp } from '../../server/app.js';
import { Organization } from '../../server/models/organization.js';
import { Store } from '../../server/models/store.js';
import { Staff } from '../../server/models/staff.js';
import { Tag, TagGroup } from '../../server/models/tag.js';
import { Customer, customerSources, type Birthday } from '../../server/models/customer.js';
import { hashPassword } from '../../server/services/auth/passwords.js';
import { defaultOrgSettings } from '../../server/domain/settings.js';

const BENCH_DB = 'storelink_bench';
const ADMIN_LOGIN = 'bench-admin';
const ADMIN_PASSWORD = 'storelink-bench-password';
const BATCH = 5_000;
const RATIO_TARGET = 3;

const { values: args } = parseArgs({
  options: {
    customers: { type: 'string', default: '100000' },
    connections: { type: 'string', default: '20' },
    duration: { type: 'string', default: '10' },
  },
});
const N = positiveInt('customers', args.customers);
const CONNECTIONS = positiveInt('connections', args.connections);
const DURATION = positiveInt('duration', args.duration);

const out = (line = '') => process.stdout.write(`${line}\n`);
const log = createLogger(process.env.LOG_LEVEL ?? 'warn');

type Seeded = { orgId: mongoose.Types.ObjectId; filterTags: mongoose.Types.ObjectId[]; matching: number; seconds: number };

async function seed(): Promise<Seeded> {
  const started = performance.now();
  const random = seededRandom(20261121);
  const org = await Organization.create({ name: 'Bench Co.', settings: { ...defaultOrgSettings } });
  const orgId = org._id;
  const store = await Store.create({ orgId, name: 'Bench store', address: '南京西路 1 号', city: '上海' });
  const passwordHash = await hashPassword(ADMIN_PASSWORD);
  await Staff.create({ orgId, login: ADMIN_LOGIN, passwordHash, realName: '基准管理员', roles: ['admin'], storeId: null });
  const clerk = await Staff.create({ orgId, login: 'bench-clerk', passwordHash, realName: '基准导购', roles: ['clerk'], storeId: store._id });

  const tagIds: mongoose.Types.ObjectId[] = [];
  for (let g = 0; g < 4; g++) {
    const group = await TagGroup.create({ orgId, name: `Group ${g + 1}`, order: g });
    const tags = await Tag.insertMany(Array.from({ length: 5 }, (_, i) => ({ orgId, groupId: group._id, name: `G${g + 1} tag ${i + 1}`, order: i })));
    tagIds.push(...tags.map((t) => t._id));
  }
  await Organization.updateOne({ _id: orgId }, { $set: { 'counters.enterpriseTags': tagIds.length } });
  // Two tags from different groups: with 0-4 tags of 20 per customer, "any" matches roughly a fifth of them.
  const filterTags = [tagIds[0]!, tagIds[7]!];
  const filterSet = new Set(filterTags.map(String));

  const prefixes = ['138', '139', '135', '136', '150', '151', '158', '186', '187', '188', '177', '199'];
  const surnames = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周'];
  const given = ['芳', '伟', '娜', '敏', '静', '丽', '强', '磊', '洋', '艳', '秀英', '晓燕', '子涵', '浩然'];
  const now = Date.now();
  const yearMs = 365 * 24 * 3600 * 1000;
  let matching = 0;
  let inserted = 0;
  for (let start = 0; start < N; start += BATCH) {
    const batch = [];
    for (let i = start; i < Math.min(N, start + BATCH); i++) {
      // The index makes every number unique; the prefix only makes it look like a real mobile number.
      const phone = `+86${prefixes[i % prefixes.length]}${String(i).padStart(8, '0')}`;
      const month = random.int(1, 12);
      const day = random.int(1, 28);
      const birthday: Birthday | null =
        random.next() < 0.85 ? { year: random.next() < 0.6 ? random.int(1960, 2004) : null, month, day, md: month * 100 + day } : null;
      const picked = new Set<mongoose.Types.ObjectId>();
      const count = random.int(0, 4);
      while (picked.size < count) picked.add(random.pick(tagIds));
      const customerTags = [...picked];
      if (customerTags.some((id) => filterSet.has(String(id)))) matching++;
      const updatedAt = new Date(now - Math.floor(random.next() * yearMs));
      batch.push({
        orgId,
        name: random.pick(surnames) + random.pick(given),
        phone,
        phoneTail: phone.slice(-4),
        gender: random.pick(['female', 'female', 'male', 'unknown'] as const),
        birthday,
        relatives: [],
        birthdayMds: birthday ? [birthday.md] : [],
        tagIds: customerTags,
        storeId: store._id,
        ownerId: clerk._id,
        source: random.pick(customerSources),
        notes: '',
        createdAt: new Date(updatedAt.getTime() - Math.floor(random.next() * yearMs)),
        updatedAt,
      });
    }
    await Customer.insertMany(batch, { ordered: false });
    inserted += batch.length;
    if (inserted % 50_000 === 0 || inserted === N)
      process.stderr.write(`  seeded ${inserted}/${N} customers (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
  }
  return { orgId, filterTags, matching, seconds: (performance.now() - started) / 1000 };
}

type Stats = {
  count: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  cutOff: number;
  problem?: string;
};

function summarise(samples: number[], seconds: number, extra: Pick<Stats, 'non2xx' | 'errors' | 'timeouts' | 'cutOff' | 'problem'>): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    rps: sorted.length / seconds,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    ...extra,
  };
}

/**
 * Handlers still running. autocannon drops the requests in flight when its time is up, but their queries go on,
 * so each run waits for them to end before the next starts. Every handler ends in res.end, even for a gone client.
 */
let inFlight = 0;
const drained: (() => void)[] = [];
function tracked(app: http.RequestListener): http.RequestListener {
  return (req, res) => {
    inFlight++;
    const end = res.end;
    let ended = false;
    res.end = function (this: http.ServerResponse, ...endArgs: unknown[]) {
      if (!ended) {
        ended = true;
        if (--inFlight === 0) drained.splice(0).forEach((resolve) => resolve());
      }
      return (end as (...a: unknown[]) => http.ServerResponse).apply(this, endArgs);
    } as typeof res.end;
    void app(req, res);
  };
}
const drain = () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => drained.push(resolve)));

/** Loopback only. autocannon's histogram has no p95, so every response time is kept and ranked here. */
async function cannon(url: string, headers: Record<string, string>): Promise<Stats> {
  const samples: number[] = [];
  const instance = autocannon({ url, connections: CONNECTIONS, duration: DURATION, headers, timeout: Math.max(30, DURATION * 3) }, () => undefined);
  // The tracker emits (client, statusCode, bytes, ms); @types/autocannon leaves out the client.
  (instance as NodeJS.EventEmitter).on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => samples.push(ms));
  const result = await new Promise<autocannon.Result>((resolve) => instance.on('done', resolve));
  const cutOff = inFlight;
  await drain();
  const odd = Object.entries(result.statusCodeStats ?? {}).filter(([code]) => !code.startsWith('2'));
  const problem = odd.length ? `status ${odd.map(([code, { count }]) => `${code} x${count}`).join(', ')}` : undefined;
  return summarise(samples, result.duration, { non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts, cutOff, problem });
}

/** The same concurrency as the HTTP runs: CONNECTIONS loops, each issuing the next query when the last returns. */
async function driverLoops(run: () => Promise<unknown>): Promise<Stats> {
  const samples: number[] = [];
  let errors = 0;
  let problem: string | undefined;
  const started = performance.now();
  const deadline = started + DURATION * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        try {
          await run();
          samples.push(performance.now() - t0);
        } catch (err) {
          errors++;
          problem ??= (err as Error).message;
        }
      }
    }),
  );
  // Loops finish the query they started, so nothing is cut off, but the last ones end after the deadline.
  return summarise(samples, (performance.now() - started) / 1000, { non2xx: 0, errors, timeouts: 0, cutOff: 0, problem });
}

/** Cookies as a browser keeps them: Set-Cookie values by name. */
function absorbCookies(jar: Map<string, string>, res: Response): void {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair!.indexOf('=');
    if (eq > 0) jar.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
  }
}
const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');

async function signIn(base: string): Promise<string> {
  const jar = new Map<string, string>();
  const form = await fetch(`${base}/login`, { redirect: 'manual' });
  absorbCookies(jar, form);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1];
  if (!csrf) throw new Error(`GET /login (${form.status}) has no _csrf field`);
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(jar) },
    body: new URLSearchParams({ login: ADMIN_LOGIN, password: ADMIN_PASSWORD, _csrf: csrf }).toString(),
  });
  absorbCookies(jar, res);
  if (res.status !== 303) throw new Error(`POST /login answered ${res.status}, expected 303`);
  return cookieHeader(jar);
}

async function apiToken(base: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: ADMIN_LOGIN, password: ADMIN_PASSWORD, name: 'bench' }),
  });
  if (res.status !== 201) throw new Error(`POST /api/v1/tokens answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** One request before measuring: it must answer 200 (a redirect to /login would measure the wrong page). */
async function expectOk(url: string, headers: Record<string, string>): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url, { headers, redirect: 'manual' });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}, expected 200`);
  return performance.now() - t0;
}

const ms = (v: number) => (Number.isNaN(v) ? 'n/a' : `${v.toFixed(1)} ms`);
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

let db: BenchDatabase | undefined;
let server: http.Server | undefined;
const cleanup = benchCleanup(BENCH_DB, { db: () => db, before: () => closeServer(server) });

let exitCode = 0;
try {
  db = await openBenchDatabase(BENCH_DB, 'persistent', log);
  if (db.engine.startsWith('FerretDB')) {
    // DocumentDB checks a compound unique index by scanning every entry of its first field's value (all customers
    // of the organisation), so seeding with {orgId, phone} in place is quadratic (docs/operations.md). The list and
    // its raw query never use it: the bench goes without it, and says so.
    await Customer.collection.dropIndex('orgId_1_phone_1');
    out('note: without the unique {orgId, phone} index on FerretDB (its inserts cost O(customers) there; the list does not use it)');
  }

  out(`seeding ${N} customers in batches of ${BATCH}...`);
  const seeded = await seed();
  const tagParam = seeded.filterTags.map(String).join(',');
  out(`seeded in ${seeded.seconds.toFixed(1)} s; the filter matches ${seeded.matching} customers (${((seeded.matching / N) * 100).toFixed(1)} %)`);

  const { app } = await createApp(loadConfig({ ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent' }), createLogger('silent'));
  server = http.createServer(tracked(app));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const token = await apiToken(base);
  const cookie = await signIn(base);
  const apiUrl = `${base}/api/v1/customers?tags=${tagParam}&match=any&limit=20`;
  const pageUrl = `${base}/customers?tags=${tagParam}&match=any`;
  const apiHeaders = { authorization: `Bearer ${token}`, accept: 'application/json' };
  const pageHeaders = { cookie, accept: 'text/html' };
  const firstPage = await expectOk(pageUrl, pageHeaders);
  const firstApi = await expectOk(apiUrl, apiHeaders);
  out(`first (cold) requests: page ${ms(firstPage)}, API ${ms(firstApi)}`);
  if (firstPage * CONNECTIONS > 3 * DURATION * 1000) {
    out(
      `warning: one page takes ${ms(firstPage)} alone; ${CONNECTIONS} at once may queue past the ${DURATION} s run (few or no responses). Try fewer --connections or a longer --duration.`,
    );
  }

  out(`measuring: ${CONNECTIONS} concurrent for ${DURATION} s per run...`);
  const page = await cannon(pageUrl, pageHeaders);
  const api = await cannon(apiUrl, apiHeaders);
  // The counts per tag that the page's script fetches when the tag filter opens (not part of the page).
  const countsUrl = `${base}/customers/tag-counts?tags=${tagParam}&match=any`;
  await expectOk(countsUrl, { cookie, accept: 'application/json' });
  const countsPage = await cannon(countsUrl, { cookie, accept: 'application/json' });

  const customers = mongoose.connection.db!.collection('customers');
  const filter = { orgId: seeded.orgId, tagIds: { $in: seeded.filterTags } };
  const raw = await driverLoops(() =>
    Promise.all([customers.find(filter).sort({ updatedAt: -1, _id: -1 }).limit(20).toArray(), customers.countDocuments(filter)]),
  );
  // Whether the engine answers the raw query from an index (the plan names an index scan) or reads the collection.
  const plan = JSON.stringify(await customers.find(filter).sort({ updatedAt: -1, _id: -1 }).limit(20).explain());
  const indexUsed = /IXSCAN|Index Scan|Index Only Scan/.test(plan);
  // Not a target: the tag-count aggregate behind /customers/tag-counts, to show where its time goes.
  const tagCounts = await driverLoops(() =>
    customers.aggregate([{ $match: filter }, { $unwind: '$tagIds' }, { $group: { _id: '$tagIds', count: { $sum: 1 } } }]).toArray(),
  );

  const ratio = page.p95 / raw.p95;
  const rssMb = process.resourceUsage().maxRSS / 1024;
  const httpOk = (s: Stats) => s.non2xx === 0 && s.errors === 0 && s.count > 0;
  const line = (name: string, s: Stats, http = true) =>
    `  ${name.padEnd(26)} ${s.rps.toFixed(s.rps < 1 ? 2 : 1).padStart(8)} req/s  p50 ${ms(s.p50).padStart(10)}  p95 ${ms(s.p95).padStart(10)}  p99 ${ms(s.p99).padStart(10)}  n=${s.count}` +
    (http ? `  non-2xx=${s.non2xx} errors=${s.errors} timeouts=${s.timeouts} cut-off=${s.cutOff}` : `  errors=${s.errors}`) +
    (s.problem ? `\n  ${''.padEnd(26)} first problem: ${s.problem}` : '');

  out();
  out('== Storelink customer list with tag filter ==');
  out(`engine             ${db.engine} (${db.kind})`);
  out(`customers          ${N} (filter: 2 tags, match=any, ${seeded.matching} matching)`);
  out(`seed time          ${seeded.seconds.toFixed(1)} s`);
  out(`load               ${CONNECTIONS} concurrent, ${DURATION} s per run, loopback, app in-process`);
  out(line('page GET /customers', page));
  out(line('API GET /api/v1/customers', api));
  out(line('raw find+count (driver)', raw, false));
  out(line('raw tagCounts aggregate', tagCounts, false));
  out(line('GET /customers/tag-counts', countsPage));
  out(`raw query plan     ${indexUsed ? 'an index scan' : 'NO index scan (reads the collection)'}`);
  out(`page p95 / raw p95 ${Number.isFinite(ratio) ? ratio.toFixed(2) : 'n/a'}x (target <= ${RATIO_TARGET}x)`);
  out(`peak RSS           ${rssMb.toFixed(0)} MB`);
  if ([page, api].some((s) => s.count < 5 * CONNECTIONS)) {
    out('note: fewer than 5 responses per connection in a run; the requests cut off at the end (likely the slowest) weigh heavily. Use a longer --duration.');
  }
  out();
  out(`[${verdict(httpOk(page))}] page: every response 2xx, no errors`);
  out(`[${verdict(httpOk(api))}] API: every response 2xx, no errors`);
  out(`[${verdict(httpOk(countsPage))}] tag counts: every response 2xx, no errors`);
  out(`[${verdict(Number.isFinite(ratio) && ratio <= RATIO_TARGET)}] page p95 within ${RATIO_TARGET}x of the raw query p95`);
  out(`[${verdict(indexUsed)}] the raw query uses an index`);
  if (page.non2xx > 0 || api.non2xx > 0 || countsPage.non2xx > 0) {
    out('non-2xx responses: the measurement is not valid');
    exitCode = 1;
  }
} catch (err) {
  process.stderr.write(`benchmark failed: ${(err as Error).stack ?? String(err)}\n`);
  exitCode = 1;
} finally {
  await cleanup();
}
process.exitCode = exitCode;
