// Benchmark (not a test) of moments: (1) 1,000 publish attempts at once across 100 clerks, each with a daily quota of 3,
// through the real app over HTTP on loopback (POST /api/v1/moments with a bearer token): the rate, the latency per attempt,
// and the exact number accepted, which must be clerks x quota; (2) the customer page (GET /my/<orgId>, the member cookie)
// of one customer who was shown posts of 50 clerks: its latency over a number of sequential requests.
// The same publishes also run through the service layer alone (publishMoment in this process), to show what HTTP adds.
// Exits 1 when an exact count is off (accepted must be clerks x min(quota, attempts)), 2 on bad flags.
// npx tsx scripts/bench/moments.ts [--staff 100] [--attempts 10] [--quota 3] [--customers 20] [--feed-clerks 50] [--feed-requests 200] [--via both|http|service]
import { benchCleanup, closeServer, openBenchDatabase, positiveInt, type BenchDatabase } from './common.js';
import { descendantCpuMs, percentile } from './measure.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../server/config.js';
import { createLogger } from '../../server/logger.js';
import { mongoose } from '../../server/db/connect.js';
import { createApp } from '../../server/app.js';
import { setClock } from '../../server/clock.js';
import { Organization } from '../../server/models/organization.js';
import { Store } from '../../server/models/store.js';
import { Staff, type StaffDoc } from '../../server/models/staff.js';
import { Customer } from '../../server/models/customer.js';
import { Delivery, SocialPost } from '../../server/models/social-post.js';
import { hashPassword } from '../../server/services/auth/passwords.js';
import { actorOf } from '../../server/services/auth/actor.js';
import { createApiToken } from '../../server/services/auth/api-tokens.js';
import { defaultOrgSettings, effectiveSettings, orgSettingsSchema } from '../../server/domain/settings.js';
import { storeAndDeliver } from '../../server/services/posts/publish.js';
import { dayPeriod } from '../../server/services/limits/usage.js';
import { memberTokenFor } from '../../server/services/members/members.js';
import { publishMoment } from '../../server/services/moments/moments.js';
import type { ServiceContext } from '../../server/services/context.js';
import { RateLimitedError } from '../../server/errors.js';
import { shownPosts } from '../../server/services/members/feed.js';

const BENCH_DB = 'storelink_bench_moments';
const PASSWORD = 'storelink-bench-password';
/** Posts the customer page lists (services/members/page.ts): what a full page must show. */
const FEED_PAGE_POSTS = 20;

const { values: args } = parseArgs({
  options: {
    staff: { type: 'string', default: '100' },
    attempts: { type: 'string', default: '10' },
    quota: { type: 'string', default: '3' },
    customers: { type: 'string', default: '20' },
    'feed-clerks': { type: 'string', default: '50' },
    'feed-requests': { type: 'string', default: '200' },
    via: { type: 'string', default: 'both' },
  },
});
const STAFF = positiveInt('staff', args.staff);
const ATTEMPTS = positiveInt('attempts', args.attempts);
const QUOTA = positiveInt('quota', args.quota);
const CUSTOMERS = positiveInt('customers', args.customers);
const FEED_CLERKS = positiveInt('feed-clerks', args['feed-clerks']);
const FEED_REQUESTS = positiveInt('feed-requests', args['feed-requests']);
// A quota outside the settings' range would silently fall back to the default: refuse it here instead.
if (!orgSettingsSchema.shape.momentsPerStaffPerDay.safeParse(QUOTA).success) {
  process.stderr.write('--quota must be within the setting momentsPerStaffPerDay (1-10)\n');
  process.exit(2);
}
if (!['http', 'service', 'both'].includes(args.via!)) {
  process.stderr.write('--via must be http, service or both\n');
  process.exit(2);
}
const VIAS: ('http' | 'service')[] = args.via === 'both' ? ['http', 'service'] : [args.via as 'http' | 'service'];
if (STAFF * ATTEMPTS > 20_000) {
  process.stderr.write('--staff x --attempts must be at most 20000 (all attempts are sent at once)\n');
  process.exit(2);
}

const out = (line = '') => process.stdout.write(`${line}\n`);
const note = (line: string) => process.stderr.write(`  ${line}\n`);
const log = createLogger(process.env.LOG_LEVEL ?? 'warn');
const ms = (v: number) => `${v.toFixed(1)} ms`;

const spread = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? Number.NaN };
};

// ---- HTTP on loopback ---------------------------------------------------------------------------------------------

type Reply = { status: number; headers: http.IncomingHttpHeaders; body: string; ms: number };

/** One socket per request in flight: 1,000 attempts at once are 1,000 connections, as 1,000 phones would be. */
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

function send(base: URL, method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: unknown): Promise<Reply> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request(
      {
        host: base.hostname,
        port: base.port,
        method,
        path,
        agent,
        headers: { ...headers, ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - t0 }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

// ---- seeding -----------------------------------------------------------------------------------------------------

let phoneCounter = 0;
const nextPhone = () => `+86139${String(phoneCounter++).padStart(8, '0')}`;

async function seedClerks(orgId: mongoose.Types.ObjectId, label: string, count: number, passwordHash: string): Promise<StaffDoc[]> {
  const stores = await Store.insertMany(
    Array.from({ length: 5 }, (_, i) => ({ orgId, name: `${label} 门店 ${i + 1}`, address: '南京西路 1 号', city: '上海' })),
  );
  return Staff.insertMany(
    Array.from({ length: count }, (_, i) => ({
      orgId,
      login: `bench-${label}-${i + 1}`,
      passwordHash,
      realName: `导购${label}${i + 1}`,
      roles: ['clerk'],
      storeId: stores[i % stores.length]!._id,
      status: 'active',
    })),
  ) as unknown as Promise<StaffDoc[]>;
}

async function seedCustomers(orgId: mongoose.Types.ObjectId, owners: StaffDoc[], perOwner: number): Promise<Map<string, mongoose.Types.ObjectId[]>> {
  const docs = owners.flatMap((owner) =>
    Array.from({ length: perOwner }, (_, i) => {
      const phone = nextPhone();
      return { orgId, name: `顾客${i + 1}`, phone, phoneTail: phone.slice(-4), ownerId: owner._id, storeId: owner.storeId ?? null, source: 'in_store' };
    }),
  );
  // Ordered: a document that fails validation stops the seeding instead of being skipped in silence.
  const inserted = await Customer.insertMany(docs);
  if (inserted.length !== docs.length) throw new Error(`seeded ${inserted.length} of ${docs.length} customers`);
  const byOwner = new Map<string, mongoose.Types.ObjectId[]>();
  for (const c of inserted) byOwner.set(String(c.ownerId), [...(byOwner.get(String(c.ownerId)) ?? []), c._id]);
  return byOwner;
}

// ---- phase 1: concurrent publishes ----------------------------------------------------------------------------------

type PublishResult = {
  via: Via;
  attempts: number;
  elapsedMs: number;
  accepted: number;
  refused: number;
  refusedWithoutRetryAfter: number;
  other: Map<string, number>;
  latency: ReturnType<typeof spread>;
  stored: number;
  perStaffExact: number;
  deliveries: number;
  nodeCpuMs: number;
  dbCpuMs: number | null;
};

type Via = 'http' | 'service';

/** One attempt's outcome: 'accepted', 'refused' (quota_exceeded, with or without Retry-After) or what else came back. */
type Outcome = { ms: number; kind: 'accepted' | 'refused' | 'other'; retryAfter?: boolean; other?: string };

async function attemptOverHttp(base: URL, token: string, text: string): Promise<Outcome> {
  const reply = await send(base, 'POST', '/api/v1/moments', { authorization: `Bearer ${token}`, accept: 'application/json' }, { text });
  if (reply.status === 201) return { ms: reply.ms, kind: 'accepted' };
  const code = reply.status === 429 ? (JSON.parse(reply.body) as { error?: { code?: string } }).error?.code : undefined;
  if (code === 'quota_exceeded') return { ms: reply.ms, kind: 'refused', retryAfter: Boolean(reply.headers['retry-after']) };
  return { ms: reply.ms, kind: 'other', other: `${reply.status} ${reply.body.slice(0, 120)}` };
}

async function attemptThroughService(ctx: ServiceContext, text: string): Promise<Outcome> {
  const t0 = performance.now();
  try {
    await publishMoment(ctx, { text });
    return { ms: performance.now() - t0, kind: 'accepted' };
  } catch (err) {
    const elapsed = performance.now() - t0;
    if (err instanceof RateLimitedError && err.code === 'quota_exceeded') return { ms: elapsed, kind: 'refused', retryAfter: err.retryAfterSeconds > 0 };
    return { ms: elapsed, kind: 'other', other: (err as Error).message.slice(0, 120) };
  }
}

async function publishPhase(via: Via, base: URL, passwordHash: string): Promise<PublishResult> {
  const org = await Organization.create({ name: `Bench moments (${via})`, settings: { ...defaultOrgSettings, momentsPerStaffPerDay: QUOTA } });
  const clerks = await seedClerks(org._id, via === 'http' ? 'P' : 'S', STAFF, passwordHash);
  await seedCustomers(org._id, clerks, CUSTOMERS);
  const contexts: ServiceContext[] = clerks.map((clerk) => ({ orgId: String(org._id), actor: actorOf(clerk), ip: '127.0.0.1' }));
  const tokens: string[] = [];
  if (via === 'http') for (const ctx of contexts) tokens.push((await createApiToken(ctx, { name: 'bench' })).token);
  note(`${via}: seeded ${STAFF} clerks with ${CUSTOMERS} customers each${via === 'http' ? ' and an API token each' : ''}`);

  // Attempt k of every clerk before attempt k + 1 of any: all clerks race from the first moment.
  const order = Array.from({ length: ATTEMPTS }, (_, k) => clerks.map((_, s) => ({ s, k }))).flat();
  const cpu0 = process.cpuUsage();
  const db0 = descendantCpuMs();
  const t0 = performance.now();
  const outcomes = await Promise.all(
    order.map(({ s, k }) => {
      const text = `今日上新：第 ${k + 1} 条（导购 ${s + 1}）`;
      return via === 'http' ? attemptOverHttp(base, tokens[s]!, text) : attemptThroughService(contexts[s]!, text);
    }),
  );
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const db1 = descendantCpuMs();

  const other = new Map<string, number>();
  for (const o of outcomes) if (o.kind === 'other') other.set(o.other!, (other.get(o.other!) ?? 0) + 1);
  const refused = outcomes.filter((o) => o.kind === 'refused');
  const perStaff = await SocialPost.aggregate<{ _id: mongoose.Types.ObjectId; n: number }>([
    { $match: { orgId: org._id, kind: 'moment' } },
    { $group: { _id: '$authorId', n: { $sum: 1 } } },
  ]);
  return {
    via,
    attempts: outcomes.length,
    elapsedMs,
    accepted: outcomes.filter((o) => o.kind === 'accepted').length,
    refused: refused.length,
    refusedWithoutRetryAfter: refused.filter((o) => !o.retryAfter).length,
    other,
    latency: spread(outcomes.map((o) => o.ms)),
    stored: await SocialPost.countDocuments({ orgId: org._id }),
    perStaffExact: perStaff.filter((row) => row.n === Math.min(QUOTA, ATTEMPTS)).length,
    deliveries: await Delivery.countDocuments({ orgId: org._id }),
    nodeCpuMs: (cpu.user + cpu.system) / 1000,
    dbCpuMs: db0 !== null && db1 !== null ? db1 - db0 : null,
  };
}

// ---- phase 2: the customer page -----------------------------------------------------------------------------------

type FeedResult = {
  posts: number;
  shown: number;
  rendered: number;
  authorsOnPage: number;
  page: ReturnType<typeof spread>;
  service: ReturnType<typeof spread>;
  statuses: Map<number, number>;
  bytes: number;
};

async function feedPhase(base: URL, passwordHash: string): Promise<FeedResult> {
  const org = await Organization.create({ name: 'Bench feed', settings: { ...defaultOrgSettings } });
  const settings = effectiveSettings(org.settings);
  const clerks = await seedClerks(org._id, 'F', FEED_CLERKS, passwordHash);
  const own = await seedCustomers(org._id, clerks, CUSTOMERS);
  const [reader] = await Customer.insertMany([
    { orgId: org._id, name: '常客', phone: nextPhone(), phoneTail: '0000', ownerId: clerks[0]!._id, storeId: clerks[0]!.storeId ?? null, source: 'in_store' },
  ]);
  const customerId = reader!._id;

  // Moments go to their author's customers; here each clerk's moment also has the reader in its audience. The
  // customer's daily cap (momentsPerCustomerPerDay) would hold back all but a few a day, so the posts are published on
  // consecutive past days, that many a day, through the same storeAndDeliver as real publishes (the clock is moved
  // for that only). Every one is then shown to the reader.
  const perDay = Math.min(settings.momentsPerCustomerPerDay, settings.contactBudgetPerDay || Number.MAX_SAFE_INTEGER);
  const days = Math.ceil(FEED_CLERKS / perDay);
  const firstDay = Date.now() - (days + 1) * 86_400_000;
  try {
    for (const [i, clerk] of clerks.entries()) {
      const at = new Date(firstDay + Math.floor(i / perDay) * 86_400_000 + (i % perDay) * 60_000);
      setClock(at);
      await storeAndDeliver(
        org._id,
        {
          kind: 'moment',
          authorId: clerk._id,
          storeId: clerk.storeId ?? null,
          text: `新品到店，欢迎来试（${clerk.realName}）\n周末满 300 减 50`,
          link: 'https://example.com/offer',
          imageIds: [],
          day: dayPeriod(at, settings.timezone).key,
        },
        [customerId, ...(own.get(String(clerk._id)) ?? [])],
        settings,
      );
    }
  } finally {
    setClock(null);
  }
  const shown = await Delivery.countDocuments({ orgId: org._id, customerId, shown: true });
  note(`seeded ${FEED_CLERKS} clerks' moments over ${days} days for one customer (${shown} shown to them)`);

  const member = { orgId: String(org._id), customerId: String(customerId) };
  const headers = { cookie: `sl_member=${encodeURIComponent(memberTokenFor(reader!))}`, accept: 'text/html' };
  const path = `/my/${String(org._id)}`;
  // Untimed warm-up: templates compiled, connections open.
  for (let i = 0; i < 10; i++) await send(base, 'GET', path, headers);

  const statuses = new Map<number, number>();
  const samples: number[] = [];
  let last: Reply | undefined;
  for (let i = 0; i < FEED_REQUESTS; i++) {
    last = await send(base, 'GET', path, headers);
    samples.push(last.ms);
    statuses.set(last.status, (statuses.get(last.status) ?? 0) + 1);
  }
  const rendered = (last?.body.match(/data-testid="member-post"/g) ?? []).length;
  const authorsOnPage = new Set(last?.body.match(/导购F\d+/g) ?? []).size;

  // The same feed read through the service alone: how much of the page is the database.
  const serviceSamples: number[] = [];
  for (let i = 0; i < FEED_REQUESTS; i++) {
    const t0 = performance.now();
    await shownPosts(member, { kind: 'moment', limit: FEED_PAGE_POSTS });
    serviceSamples.push(performance.now() - t0);
  }
  return {
    posts: await SocialPost.countDocuments({ orgId: org._id }),
    shown,
    rendered,
    authorsOnPage,
    page: spread(samples),
    service: spread(serviceSamples),
    statuses,
    bytes: last?.body.length ?? 0,
  };
}

// ---- run -----------------------------------------------------------------------------------------------------------

let db: BenchDatabase | undefined;
let server: http.Server | undefined;
const cleanup = benchCleanup(BENCH_DB, {
  db: () => db,
  before: async () => {
    agent.destroy();
    await closeServer(server);
  },
});

let exitCode = 0;
const check = (ok: boolean) => {
  if (!ok) exitCode = 1;
  return ok ? 'PASS' : 'FAIL';
};

try {
  db = await openBenchDatabase(BENCH_DB, 'ephemeral', log);
  const { app } = await createApp(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), createLogger('silent'));
  server = http.createServer(app);
  // A backlog above the number of attempts, so no connection waits for a SYN retry.
  await new Promise<void>((resolve) => server!.listen({ port: 0, host: '127.0.0.1', backlog: STAFF * ATTEMPTS + 100 }, resolve));
  const base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const passwordHash = await hashPassword(PASSWORD);

  const expected = STAFF * Math.min(QUOTA, ATTEMPTS);
  const runs: PublishResult[] = [];
  for (const via of VIAS) runs.push(await publishPhase(via, base, passwordHash));
  const feed = await feedPhase(base, passwordHash);

  out();
  out('== Storelink moments: concurrent publishes and the customer page ==');
  out(
    `engine             ${db.engine} (${db.kind})` +
      (db.kind === 'standin' ? ' (the in-memory stand-in: one command at a time, non-unique indexes ignored, so these figures are a floor)' : ''),
  );
  out(
    `publish            ${STAFF * ATTEMPTS} attempts sent at once: ${STAFF} clerks x ${ATTEMPTS} each, daily quota ${QUOTA}, ${CUSTOMERS} customers per clerk (each accepted post delivers to them)`,
  );
  for (const pub of runs) {
    out();
    out(
      pub.via === 'http'
        ? '-- via HTTP: the real app on loopback, POST /api/v1/moments with a bearer token per clerk, one connection per attempt'
        : '-- via the service layer: publishMoment(ctx) in this process, no HTTP (what the HTTP run costs on top)',
    );
    out(`elapsed            ${(pub.elapsedMs / 1000).toFixed(2)} s, ${(pub.attempts / (pub.elapsedMs / 1000)).toFixed(0)} attempts/s`);
    out(
      `cpu                node ${(pub.nodeCpuMs / 1000).toFixed(1)} s, database ${pub.dbCpuMs === null ? 'n/a' : `${(pub.dbCpuMs / 1000).toFixed(1)} s`} (of ${(pub.elapsedMs / 1000).toFixed(1)} s on 2 cores)`,
    );
    out(
      `latency / attempt  p50 ${ms(pub.latency.p50)}, p99 ${ms(pub.latency.p99)}, max ${ms(pub.latency.max)} (all were in flight together, so each waits for most of the others)`,
    );
    out(`accepted           ${pub.accepted} (expected exactly ${expected}) [${check(pub.accepted === expected)}]`);
    out(
      `refused            ${pub.refused} quota_exceeded (expected ${pub.attempts - expected})${pub.via === 'http' ? `, ${pub.refusedWithoutRetryAfter} without Retry-After` : ''} [${check(pub.refused === pub.attempts - expected && pub.refusedWithoutRetryAfter === 0)}]`,
    );
    out(`other answers      ${pub.other.size ? [...pub.other].map(([k, n]) => `${n} x ${k}`).join('; ') : 'none'} [${check(pub.other.size === 0)}]`);
    out(
      `stored             ${pub.stored} posts, ${pub.deliveries} deliveries; clerks with exactly ${Math.min(QUOTA, ATTEMPTS)} posts: ${pub.perStaffExact}/${STAFF} [${check(pub.stored === expected && pub.perStaffExact === STAFF && pub.deliveries === expected * CUSTOMERS)}]`,
    );
  }
  out();
  out(`-- the customer page: GET /my/<orgId> with the member cookie, the real app over HTTP`);
  out(
    `customer           shown moments of ${FEED_CLERKS} clerks (${feed.posts} posts in all, ${feed.shown} shown to this customer) [${check(feed.shown === FEED_CLERKS)}]`,
  );
  out(
    `page content       ${feed.rendered} posts rendered from ${feed.authorsOnPage} clerks, ${(feed.bytes / 1024).toFixed(1)} KiB [${check(feed.rendered === Math.min(FEED_PAGE_POSTS, FEED_CLERKS))}]`,
  );
  out(
    `page latency       ${FEED_REQUESTS} sequential GETs: p50 ${ms(feed.page.p50)}, p99 ${ms(feed.page.p99)}, max ${ms(feed.page.max)}; statuses ${[...feed.statuses].map(([s, n]) => `${s} x${n}`).join(', ')} [${check(feed.statuses.get(200) === FEED_REQUESTS)}]`,
  );
  out(`feed query alone   shownPosts (service), ${FEED_REQUESTS} times: p50 ${ms(feed.service.p50)}, p99 ${ms(feed.service.p99)}`);
  out(`peak RSS (node)    ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  out(`result             ${exitCode === 0 ? 'PASS' : 'FAIL'}`);
} catch (err) {
  process.stderr.write(`benchmark failed: ${(err as Error).stack ?? String(err)}\n`);
  exitCode = 1;
} finally {
  await cleanup();
}
process.exitCode = exitCode;
