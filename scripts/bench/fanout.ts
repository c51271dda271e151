// Benchmark (not a test) of fan-out at store scale, through the service layer in this process: (a) one clerk with
// 2,000 customers publishes one moment; (b) a group post to a 600-member group; (c) a campaign to 100 clerks x 500
// customers, every clerk publishing its task at once. Beside each, in the same run and on the same collections, a raw
// driver makes the same writes (the quota or allowance, the customers' touch counters, the post, the deliveries) as
// one bulk write per batch, so the ratio shows what the app adds over the database's own speed.
// (a) also prints when the publish answered: past one batch of customers the rest is delivered after the answer (the
// delivery job, run here at once), and the app's time is to the last delivery.
// Also measured: the app's CPU per customer reached and its database commands per customer (a driver command monitor).
// The database is the one every benchmark resolves (common.ts): the embedded FerretDB when installed; the Java
// stand-in with STORELINK_SKIP_FERRETDB=true. Last line: `fanout app/raw: a X.XXx b Y.YYx c Z.ZZx`.
// npx tsx scripts/bench/fanout.ts [--customers 2000] [--members 600] [--clerks 100] [--per-clerk 500] [--rounds 2]
import { benchCleanup, openBenchDatabase, positiveInt, type BenchDatabase } from './common.js';
import { descendantCpuMs } from './measure.js';
import { dropFormerIndex } from '../../server/services/maintenance/migrations.js';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { createLogger } from '../../server/logger.js';
import { mongoose } from '../../server/db/connect.js';
import { setClock } from '../../server/clock.js';
import { Organization } from '../../server/models/organization.js';
import { Store } from '../../server/models/store.js';
import { Staff, type StaffDoc } from '../../server/models/staff.js';
import { Customer } from '../../server/models/customer.js';
import { CampaignTask } from '../../server/models/campaign.js';
import { CustomerGroup, GroupMember } from '../../server/models/customer-group.js';
import { Delivery, deliveryKey, SocialPost } from '../../server/models/social-post.js';
import { counterKey, UsageCounter } from '../../server/models/usage-counter.js';
import { actorOf } from '../../server/services/auth/actor.js';
import { defaultOrgSettings, effectiveSettings, type OrgSettings } from '../../server/domain/settings.js';
import { dayPeriod } from '../../server/services/limits/usage.js';
import { publishMoment } from '../../server/services/moments/moments.js';
import { continueDelivery } from '../../server/services/posts/publish.js';
import { publishGroupPost } from '../../server/services/groups/group-posts.js';
import { createCampaign, fireDueCampaigns, listMyCampaignTasks, publishCampaignTask } from '../../server/services/campaigns/campaigns.js';
import { createGroup } from '../../server/services/groups/groups.js';
import type { ServiceContext } from '../../server/services/context.js';

const BENCH_DB = 'storelink_bench_fanout';
const TARGET_RATIO = 2.0;
const TARGET_A_SECONDS = 1.5;

const { values: args } = parseArgs({
  options: {
    customers: { type: 'string', default: '2000' },
    members: { type: 'string', default: '600' },
    clerks: { type: 'string', default: '100' },
    'per-clerk': { type: 'string', default: '500' },
    rounds: { type: 'string', default: '2' },
  },
});
const CUSTOMERS = positiveInt('customers', args.customers);
const MEMBERS = positiveInt('members', args.members);
const CLERKS = positiveInt('clerks', args.clerks);
const PER_CLERK = positiveInt('per-clerk', args['per-clerk']);
const ROUNDS = positiveInt('rounds', args.rounds);
if (MEMBERS > 2000) {
  process.stderr.write('--members must be at most 2000 (the largest group cap the settings allow)\n');
  process.exit(2);
}

const out = (line = '') => process.stdout.write(`${line}\n`);
const note = (line: string) => process.stderr.write(`  ${line}\n`);
const log = createLogger(process.env.LOG_LEVEL ?? 'warn');
const BATCH = 1000;

// ---- measuring -----------------------------------------------------------------------------------------------------

let commands = 0;
/** Every operation sent to the database (app and raw alike go through Mongoose's collections), counted while a phase runs. */
function countCommands(): void {
  mongoose.set('debug', () => {
    commands += 1;
  });
}

type Run = { seconds: number; nodeCpuMs: number; dbCpuMs: number | null; commands: number; items: number };

async function measure(items: number, work: () => Promise<unknown>): Promise<Run> {
  const cpu0 = process.cpuUsage();
  const db0 = descendantCpuMs();
  const c0 = commands;
  const t0 = performance.now();
  await work();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const db1 = descendantCpuMs();
  return { seconds, nodeCpuMs: (cpu.user + cpu.system) / 1000, dbCpuMs: db0 !== null && db1 !== null ? db1 - db0 : null, commands: commands - c0, items };
}

// ---- seeding -------------------------------------------------------------------------------------------------------

let phoneCounter = 0;
const nextPhone = () => `+86139${String(phoneCounter++).padStart(8, '0')}`;

async function seedOrg(label: string, settings: Partial<OrgSettings> = {}) {
  const org = await Organization.create({ name: `Bench fan-out ${label}`, settings: { ...defaultOrgSettings, ...settings } });
  const store = await Store.create({ orgId: org._id, name: `${label} 门店`, address: '南京西路 1 号', city: '上海' });
  return { org, store, settings: effectiveSettings(org.settings) };
}

async function seedClerks(orgId: mongoose.Types.ObjectId, storeId: mongoose.Types.ObjectId, label: string, count: number): Promise<StaffDoc[]> {
  return Staff.insertMany(
    Array.from({ length: count }, (_, i) => ({
      orgId,
      login: `bench-fanout-${label}-${i + 1}-${String(orgId)}`,
      passwordHash: 'x',
      realName: `导购${label}${i + 1}`,
      roles: ['clerk'],
      storeId,
      status: 'active',
    })),
  ) as unknown as Promise<StaffDoc[]>;
}

async function seedCustomers(orgId: mongoose.Types.ObjectId, owner: StaffDoc, count: number): Promise<mongoose.Types.ObjectId[]> {
  const ids: mongoose.Types.ObjectId[] = [];
  for (let start = 0; start < count; start += 5000) {
    const docs = Array.from({ length: Math.min(5000, count - start) }, (_, i) => {
      const phone = nextPhone();
      return { orgId, name: `顾客${start + i + 1}`, phone, phoneTail: phone.slice(-4), ownerId: owner._id, storeId: owner.storeId ?? null, source: 'in_store' };
    });
    ids.push(...(await Customer.insertMany(docs)).map((c) => c._id));
  }
  return ids;
}

const ctxOf = (clerk: StaffDoc): ServiceContext => ({ orgId: String(clerk.orgId), actor: actorOf(clerk), ip: '127.0.0.1' });

// ---- the raw writes: what publishing must write, as one bulk write per batch -------------------------------------

/** The same writes a publish makes, through the driver: the quota or allowance, the touch counters, the post, its deliveries. */
async function rawPublish(
  orgId: mongoose.Types.ObjectId,
  authorId: mongoose.Types.ObjectId,
  audience: mongoose.Types.ObjectId[],
  kind: 'moment' | 'group',
  settings: OrgSettings,
  allowanceKey: string,
): Promise<void> {
  const day = dayPeriod(new Date(), settings.timezone);
  const channel = kind === 'moment' ? 'moment' : 'group_post';
  await UsageCounter.collection.updateOne(
    { orgId, scopedKey: counterKey(orgId, allowanceKey), used: { $lt: 100 } },
    { $inc: { used: 1 }, $setOnInsert: { key: allowanceKey, expiresAt: day.endsAt } },
    { upsert: true },
  );
  for (let start = 0; start < audience.length; start += BATCH) {
    await UsageCounter.collection.bulkWrite(
      audience.slice(start, start + BATCH).map((customerId) => {
        const key = `touch:${String(customerId)}:${day.key}`;
        return {
          updateOne: {
            filter: { orgId, scopedKey: counterKey(orgId, key), used: { $lt: settings.contactBudgetPerDay || Number.MAX_SAFE_INTEGER } },
            update: { $inc: { used: 1, [`by.${channel}`]: 1 }, $setOnInsert: { key, expiresAt: day.endsAt } },
            upsert: true,
          },
        };
      }),
      { ordered: false },
    );
  }
  const postId = new mongoose.Types.ObjectId();
  const at = new Date();
  await SocialPost.collection.insertOne({
    _id: postId,
    orgId,
    kind,
    authorId,
    text: '原始写入',
    imageIds: [],
    link: null,
    audienceTagIds: [],
    day: day.key,
    stats: { audience: audience.length, reached: audience.length, heldBack: 0, likes: 0, comments: 0 },
    createdAt: at,
  });
  for (let start = 0; start < audience.length; start += BATCH) {
    await Delivery.collection.insertMany(
      audience.slice(start, start + BATCH).map((customerId) => ({
        orgId,
        postId,
        customerId,
        scopedKey: deliveryKey(orgId, postId, customerId),
        kind,
        groupId: null,
        shown: true,
        heldReason: null,
        liked: false,
        likedOnce: false,
        at,
      })),
      { ordered: false },
    );
  }
}

// ---- the three cases ---------------------------------------------------------------------------------------------

/** `answer`: seconds until the publish answered, when the rest of the audience is delivered after it (a large moment). */
type Pair = { app: Run; raw: Run; answer?: number };

/** (a) One clerk's moment to all her customers, each round in a fresh organisation (the customers' first touch of the day, as at the start of a day). */
async function caseA(round: number): Promise<Pair> {
  const app = await seedOrg(`A${round}`);
  const [clerk] = await seedClerks(app.org._id, app.store._id, `A${round}`, 1);
  await seedCustomers(app.org._id, clerk!, CUSTOMERS);
  const raw = await seedOrg(`A${round}raw`);
  const [rawClerk] = await seedClerks(raw.org._id, raw.store._id, `A${round}raw`, 1);
  const rawAudience = await seedCustomers(raw.org._id, rawClerk!, CUSTOMERS);
  let answer = 0;
  // To the last delivery: the answer, then the delivery job's work, run here at once (as a scheduler does when enqueued).
  const appRun = await measure(CUSTOMERS, async () => {
    const t0 = performance.now();
    const post = await publishMoment(ctxOf(clerk!), { text: '今日上新' });
    answer = (performance.now() - t0) / 1000;
    if (post.delivery?.state === 'delivering') await continueDelivery(String(app.org._id), String(post._id));
  });
  const rawRun = await measure(CUSTOMERS, () =>
    rawPublish(raw.org._id, rawClerk!._id, rawAudience, 'moment', raw.settings, `moments:${String(rawClerk!._id)}`),
  );
  const reached = (await SocialPost.findOne({ orgId: app.org._id }).lean())?.stats.reached;
  if (reached !== CUSTOMERS) throw new Error(`(a) reached ${reached} of ${CUSTOMERS}`);
  return { app: appRun, raw: rawRun, answer };
}

/** (b) A group post to a group of MEMBERS customers. */
async function caseB(round: number): Promise<Pair> {
  const app = await seedOrg(`B${round}`, { groupMemberCap: Math.max(MEMBERS, 2) });
  const [clerk] = await seedClerks(app.org._id, app.store._id, `B${round}`, 1);
  const members = await seedCustomers(app.org._id, clerk!, MEMBERS);
  const group = await createGroup(ctxOf(clerk!), { name: '会员群', cap: Math.max(MEMBERS, 2) });
  await GroupMember.insertMany(members.map((customerId) => ({ orgId: app.org._id, groupId: group._id, customerId, via: 'staff', joinedAt: new Date() })));
  await CustomerGroup.updateOne({ orgId: app.org._id, _id: group._id }, { $set: { memberCount: MEMBERS } });
  const raw = await seedOrg(`B${round}raw`);
  const [rawClerk] = await seedClerks(raw.org._id, raw.store._id, `B${round}raw`, 1);
  const rawMembers = await seedCustomers(raw.org._id, rawClerk!, MEMBERS);
  const appRun = await measure(MEMBERS, () => publishGroupPost(ctxOf(clerk!), String(group._id), { text: '群发：周末活动' }));
  const rawRun = await measure(MEMBERS, () => rawPublish(raw.org._id, rawClerk!._id, rawMembers, 'group', raw.settings, `groupposts:${String(group._id)}:raw`));
  const reached = (await SocialPost.findOne({ orgId: app.org._id, kind: 'group' }).lean())?.stats.reached;
  if (reached !== MEMBERS) throw new Error(`(b) reached ${reached} of ${MEMBERS}`);
  return { app: appRun, raw: rawRun };
}

/** (c) A campaign to CLERKS clerks of PER_CLERK customers each; it fires, and every clerk publishes her task at once. */
async function caseC(round: number): Promise<Pair> {
  const app = await seedOrg(`C${round}`);
  const clerks = await seedClerks(app.org._id, app.store._id, `C${round}`, CLERKS);
  const [marketer] = (await Staff.insertMany([
    { orgId: app.org._id, login: `bench-fanout-marketer-${String(app.org._id)}`, passwordHash: 'x', realName: '市场', roles: ['marketer'], status: 'active' },
  ])) as unknown as StaffDoc[];
  const raw = await seedOrg(`C${round}raw`);
  const rawClerks = await seedClerks(raw.org._id, raw.store._id, `C${round}raw`, CLERKS);
  const rawAudiences: mongoose.Types.ObjectId[][] = [];
  // Seeded without the customers' unique {orgId, phone} index, which is not built again: DocumentDB checks a compound
  // unique index by scanning the entries that share its first field, so inserting 50,000 customers of one organisation
  // under it, or building it over them, takes longer than the whole run (docs/operations.md). Nothing (c) measures
  // reads or writes customers' phones; every index it uses is in place. The seeded phones are unique anyway.
  await dropFormerIndex(Customer, { orgId: 1, phone: 1 });
  for (const clerk of clerks) await seedCustomers(app.org._id, clerk, PER_CLERK);
  for (const clerk of rawClerks) rawAudiences.push(await seedCustomers(raw.org._id, clerk, PER_CLERK));
  note(`(c) round ${round + 1}: seeded ${CLERKS} clerks x ${PER_CLERK} customers twice (app and raw), without the customers' unique phone index`);

  const now = Date.now();
  setClock(new Date(now));
  const campaign = await createCampaign(ctxOf(marketer!), {
    kind: 'moment',
    title: '双十二',
    text: '双十二全场满减',
    storeIds: [String(app.store._id)],
    tagIds: [],
    publishAt: new Date(now + 60_000),
  });
  setClock(new Date(now + 61_000));
  let appRun: Run;
  try {
    appRun = await measure(CLERKS * PER_CLERK, async () => {
      await fireDueCampaigns();
      await Promise.all(
        clerks.map(async (clerk) => {
          const [task] = await listMyCampaignTasks(ctxOf(clerk), { status: 'open' });
          if (!task || String(task.campaignId) !== String(campaign._id)) throw new Error('no task for a clerk');
          await publishCampaignTask(ctxOf(clerk), String(task._id));
        }),
      );
    });
  } finally {
    setClock(null);
  }
  const rawRun = await measure(CLERKS * PER_CLERK, async () => {
    await CampaignTask.collection.insertMany(
      rawClerks.map((clerk) => ({ orgId: raw.org._id, campaignId: campaign._id, key: `raw:${String(clerk._id)}`, staffId: clerk._id, status: 'open' })),
      { ordered: false },
    );
    await Promise.all(
      rawClerks.map(async (clerk, i) => {
        await rawPublish(raw.org._id, clerk._id, rawAudiences[i]!, 'moment', raw.settings, `moments:${String(clerk._id)}`);
        await CampaignTask.collection.updateOne({ orgId: raw.org._id, key: `raw:${String(clerk._id)}` }, { $set: { status: 'published' } });
      }),
    );
  });
  const posts = await SocialPost.countDocuments({ orgId: app.org._id, campaignId: campaign._id });
  const reached = await Delivery.countDocuments({ orgId: app.org._id, shown: true });
  if (posts !== CLERKS || reached !== CLERKS * PER_CLERK) throw new Error(`(c) ${posts} posts, ${reached} shown; expected ${CLERKS} and ${CLERKS * PER_CLERK}`);
  return { app: appRun, raw: rawRun };
}

// ---- run -----------------------------------------------------------------------------------------------------------

let db: BenchDatabase | undefined;
const cleanup = benchCleanup(BENCH_DB, { db: () => db });
let exitCode = 0;

const best = (runs: Run[]) => runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
const s = (v: number) => `${v.toFixed(2)} s`;
const perItem = (run: Run) =>
  `${((run.nodeCpuMs * 1000) / run.items).toFixed(0)} µs node CPU, ${(run.commands / run.items).toFixed(3)} database operations` +
  (run.dbCpuMs === null ? '' : `, ${((run.dbCpuMs * 1000) / run.items).toFixed(0)} µs database CPU`);

try {
  db = await openBenchDatabase(BENCH_DB, 'ephemeral', log);
  countCommands();
  const cases: { name: string; label: string; run: (round: number) => Promise<Pair> }[] = [
    { name: 'a', label: `(a) one clerk, ${CUSTOMERS} customers, one moment`, run: caseA },
    { name: 'b', label: `(b) a group post to ${MEMBERS} members`, run: caseB },
    {
      name: 'c',
      label: `(c) a campaign, ${CLERKS} clerks x ${PER_CLERK} customers, every task published at once (customers seeded without their unique phone index, which nothing here uses)`,
      run: caseC,
    },
  ];
  const ratios: string[] = [];
  const load = os.loadavg().map((l) => l.toFixed(2));
  out();
  out('== Storelink fan-out: publishing to a store-sized audience, the app beside raw bulk writes ==');
  out(`engine             ${db.engine} (${db.kind})`);
  out(`machine            ${os.cpus().length} cores, load average ${load.join(' ')} at the start (the machine is shared: figures under load are noisy)`);
  out(`rounds             ${ROUNDS} per case, each in fresh organisations; the best round of each side is compared`);
  for (const c of cases) {
    const pairs: Pair[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      note(`${c.label}: round ${round + 1}...`);
      pairs.push(await c.run(round));
    }
    const app = best(pairs.map((p) => p.app));
    const raw = best(pairs.map((p) => p.raw));
    const ratio = app.seconds / raw.seconds;
    ratios.push(`${c.name} ${ratio.toFixed(2)}x`);
    out();
    out(c.label);
    out(`  app              ${pairs.map((p) => s(p.app.seconds)).join(', ')} (best ${s(app.seconds)}); ${perItem(app)} per customer`);
    out(`  raw bulk writes  ${pairs.map((p) => s(p.raw.seconds)).join(', ')} (best ${s(raw.seconds)}); ${perItem(raw)} per customer`);
    const answers = pairs.flatMap((p) => (p.answer === undefined ? [] : [p.answer]));
    if (answers.length) out(`  publish answered ${answers.map(s).join(', ')} (best ${s(Math.min(...answers))}); the app line is to the last delivery`);
    const ok = ratio <= TARGET_RATIO && (c.name !== 'a' || app.seconds <= TARGET_A_SECONDS);
    if (!ok) exitCode = 1;
    out(
      `  app/raw          ${ratio.toFixed(2)}x (target <= ${TARGET_RATIO.toFixed(1)}x${c.name === 'a' ? `, and <= ${TARGET_A_SECONDS} s` : ''}) [${ok ? 'PASS' : 'FAIL'}]`,
    );
  }
  out();
  out(
    `load average at the end ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  out(`fanout app/raw: ${ratios.join(' ')}`);
} catch (err) {
  process.stderr.write(`benchmark failed: ${(err as Error).stack ?? String(err)}\n`);
  exitCode = 1;
} finally {
  await cleanup();
}
process.exitCode = exitCode;
