// Benchmark (not a test) of the daily follow-up task job: the same number of birthdays in the window among 1,000,000
// customers and among 100,000; with the {orgId, birthdayMds} index the time should follow the matches, not the customers.
// npx tsx scripts/bench/followups.ts [--customers 1000000] [--small 100000] [--matches 10000] [--clerks 30] [--keep]
import { benchCleanup, openBenchDatabase, positiveInt, type BenchDatabase } from './common.js';
import { seededRandom } from '../../server/services/seed/demo.js';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { createLogger } from '../../server/logger.js';
import { mongoose } from '../../server/db/connect.js';
import { Organization } from '../../server/models/organization.js';
import { Store } from '../../server/models/store.js';
import { Staff } from '../../server/models/staff.js';
import { Customer, customerSources, type Birthday, type Relative } from '../../server/models/customer.js';
import { FollowupTask } from '../../server/models/followup-task.js';
import { hashPassword } from '../../server/services/auth/passwords.js';
import { defaultOrgSettings, followupDefaults } from '../../server/domain/settings.js';
import { birthdayOf, birthdayMonthDays } from '../../server/services/customers/birthdays.js';
import { createFollowupTasks } from '../../server/services/followups/generate.js';
import { effectiveRules } from '../../server/services/followups/rules.js';
import { festivalOf, nextFestivalDate } from '../../server/domain/holidays.js';
import { addDays, daysBetween, monthDayRanges, type IsoDate } from '../../server/domain/calendar.js';

const BENCH_DB = 'storelink_bench_followups';
const BATCH = 10_000;
// Far from both default festivals (spring festival, mid-autumn), so the window holds birthdays only.
const TODAY: IsoDate = '2027-06-01';

const { values: args } = parseArgs({
  options: {
    customers: { type: 'string', default: '1000000' },
    small: { type: 'string', default: '100000' },
    matches: { type: 'string', default: '10000' },
    clerks: { type: 'string', default: '30' },
    keep: { type: 'boolean', default: false },
  },
});
const BIG = positiveInt('customers', args.customers);
const SMALL = positiveInt('small', args.small);
const MATCHES = positiveInt('matches', args.matches);
const CLERKS = positiveInt('clerks', args.clerks);
if (MATCHES > SMALL || SMALL > BIG) {
  process.stderr.write('expected --matches <= --small <= --customers\n');
  process.exit(2);
}
// A few customers with a birthday in the window that must get no task: erased ones, and ones of a clerk who left.
const DECOYS = Math.floor(SMALL / MATCHES) >= 2 ? Math.max(1, Math.round(MATCHES / 100)) : 0;

const out = (line = '') => process.stdout.write(`${line}\n`);
const log = createLogger(process.env.LOG_LEVEL ?? 'warn');
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

// Birthdays inside the job's window (today to today + the birthday lead), and every other day of the year (1-28 only,
// so 29 February never has to be reasoned about).
const LEAD = followupDefaults.leadDays.birthday;
const windowDays = Array.from({ length: LEAD + 1 }, (_, i) => addDays(TODAY, i)).map((d) => ({ month: Number(d.slice(5, 7)), day: Number(d.slice(8, 10)) }));
const windowKeys = new Set(windowDays.map((d) => d.month * 100 + d.day));
const outsideDays = Array.from({ length: 12 * 28 }, (_, i) => ({ month: Math.floor(i / 28) + 1, day: (i % 28) + 1 })).filter(
  (d) => !windowKeys.has(d.month * 100 + d.day),
);

const RELATIONS = ['母亲', '父亲', '配偶', '孩子'] as const;
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周'];
const GIVEN = ['芳', '伟', '娜', '敏', '静', '丽', '强', '磊', '洋', '艳', '秀英', '晓燕', '子涵', '浩然'];
const PREFIXES = ['138', '139', '135', '136', '150', '151', '158', '186', '187', '188', '177', '199'];
let phoneCounter = 0;

type Seeded = { orgId: mongoose.Types.ObjectId; customers: number; matches: number; decoys: number; seedMs: number };

async function seedOrg(label: string, n: number, passwordHash: string, random: ReturnType<typeof seededRandom>): Promise<Seeded> {
  const started = performance.now();
  const org = await Organization.create({ name: `Bench ${label}`, settings: { ...defaultOrgSettings } });
  const orgId = org._id;
  const stores = await Store.insertMany(
    Array.from({ length: 3 }, (_, i) => ({ orgId, name: `${label} store ${i + 1}`, address: '南京西路 1 号', city: '上海' })),
  );
  const clerks = await Staff.insertMany(
    Array.from({ length: CLERKS }, (_, i) => ({
      orgId,
      login: `bench-${label}-clerk-${i + 1}`,
      passwordHash,
      realName: `导购${i + 1}`,
      roles: ['clerk'],
      storeId: stores[i % stores.length]!._id,
      status: 'active',
    })),
  );
  const [gone] = await Staff.insertMany([
    {
      orgId,
      login: `bench-${label}-gone`,
      passwordHash,
      realName: '已离职导购',
      roles: ['clerk'],
      storeId: stores[0]!._id,
      status: 'left',
      leftAt: new Date(),
    },
  ]);

  // Matches and decoys spread evenly through the collection, so insertion order favours no one.
  const stride = Math.floor(n / MATCHES);
  const now = new Date();
  let matches = 0;
  let decoys = 0;
  for (let start = 0; start < n; start += BATCH) {
    const batch = [];
    for (let i = start; i < Math.min(n, start + BATCH); i++) {
      const isMatch = i % stride === 0 && i / stride < MATCHES;
      const isDecoy = !isMatch && DECOYS > 0 && i % stride === Math.floor(stride / 2) && Math.floor(i / stride) < 2 * DECOYS;
      const inWindow = isMatch || isDecoy;
      // Half the occasions in the window are the customer's own birthday, half a relative's.
      const ownInWindow = inWindow && (isMatch ? matches : Math.floor(decoys / 2)) % 2 === 0;
      const day = (inWindow: boolean) => (inWindow ? random.pick(windowDays) : random.pick(outsideDays));
      const birthday: Birthday = birthdayOf({ year: random.next() < 0.6 ? random.int(1960, 2004) : null, ...day(ownInWindow) });
      const relatives: Relative[] = Array.from({ length: 1 + (i % 2) }, (_, r) => ({
        relation: RELATIONS[(i + r) % RELATIONS.length]!,
        name: random.pick(SURNAMES) + random.pick(GIVEN),
        birthday: birthdayOf(day(inWindow && !ownInWindow && r === 0)),
      }));
      const owner = isDecoy && decoys % 2 === 1 ? gone! : clerks[i % clerks.length]!;
      const erased = isDecoy && decoys % 2 === 0;
      if (isMatch) matches++;
      if (isDecoy) decoys++;
      const phone = `+86${PREFIXES[phoneCounter % PREFIXES.length]}${String(phoneCounter++).padStart(8, '0')}`;
      batch.push({
        orgId,
        name: random.pick(SURNAMES) + random.pick(GIVEN),
        phone,
        phoneTail: phone.slice(-4),
        gender: random.pick(['female', 'female', 'male', 'unknown'] as const),
        birthday,
        relatives,
        birthdayMds: birthdayMonthDays(birthday, relatives),
        tagIds: [],
        storeId: owner.storeId ?? null,
        ownerId: owner._id,
        source: random.pick(customerSources),
        notes: '',
        recentTransfers: [],
        sharedWith: [],
        createdBy: null,
        erasedAt: erased ? now : null,
        createdAt: now,
        updatedAt: now,
      });
    }
    await Customer.collection.insertMany(batch, { ordered: false });
    const done = Math.min(n, start + BATCH);
    if (done % 100_000 === 0 || done === n) process.stderr.write(`  org ${label}: ${done}/${n} customers (${seconds(performance.now() - started)})\n`);
  }
  return { orgId, customers: n, matches, decoys, seedMs: performance.now() - started };
}

/** The enabled occasions other than birthdays, with their next date: none may fall within its lead, or the job counts more than birthdays. */
async function otherOccasions(orgId: string): Promise<{ occasion: string; date: IsoDate | null; days: number | null; leadDays: number }[]> {
  const rules = (await effectiveRules(orgId)).filter((r) => r.enabled && r.kind !== 'birthday' && r.kind !== 'relative-birthday');
  return rules.map((rule) => {
    const festival = festivalOf(rule.occasion);
    const date = festival ? nextFestivalDate(festival, TODAY) : null;
    return { occasion: rule.occasion, date, days: date ? daysBetween(TODAY, date) : null, leadDays: rule.leadDays };
  });
}

type Timed = { ms: number; created: number; matched: number };
async function timeJob(orgId: mongoose.Types.ObjectId): Promise<Timed> {
  const t0 = performance.now();
  const result = await createFollowupTasks(String(orgId), TODAY);
  return { ms: performance.now() - t0, created: result.created, matched: result.matched };
}

/** The job's customer query alone, through the driver: how much of the job's time is finding the customers. */
async function timeQuery(orgId: mongoose.Types.ObjectId): Promise<{ ms: number; found: number }> {
  const t0 = performance.now();
  const owners = (await Staff.find({ orgId, status: 'active' }, { _id: 1 }).lean()).map((s) => s._id);
  const ranges = monthDayRanges(TODAY, addDays(TODAY, LEAD));
  const filter = {
    orgId,
    erasedAt: null,
    ownerId: { $in: owners },
    $or: ranges.map(([from, to]) => ({ birthdayMds: { $elemMatch: { $gte: from, $lte: to } } })),
  };
  const found = (await Customer.collection.find(filter, { projection: { ownerId: 1, storeId: 1, tagIds: 1, birthday: 1, relatives: 1 } }).toArray()).length;
  return { ms: performance.now() - t0, found };
}

let db: BenchDatabase | undefined;
const cleanup = benchCleanup(BENCH_DB, { db: () => db, keep: args.keep });

let exitCode = 0;
try {
  // Ephemeral: without MONGODB_URI the script starts a throwaway server of its own (embedded mongod or the in-memory
  // stand-in), so a million customers never land in the developer's .data files or in a running app's server.
  db = await openBenchDatabase(BENCH_DB, 'ephemeral', log);
  if (db.engine.startsWith('FerretDB')) {
    // DocumentDB checks a compound unique index by scanning the entries of its first field's value (every customer of
    // the organisation), so seeding a million with {orgId, phone} in place is quadratic (docs/operations.md); the job
    // does not use that index, so the bench goes without it, and says so.
    await Customer.collection.dropIndex('orgId_1_phone_1');
    out('note: without the unique {orgId, phone} index on FerretDB (its inserts cost O(customers) there; the job does not use it)');
  }

  const passwordHash = await hashPassword('storelink-bench-password');
  const random = seededRandom(20270601);
  out(`seeding ${BIG} + ${SMALL} customers (${MATCHES} per organisation in the window) in batches of ${BATCH}...`);
  const big = await seedOrg('A', BIG, passwordHash, random);
  const small = await seedOrg('B', SMALL, passwordHash, random);
  if (big.matches !== MATCHES || small.matches !== MATCHES) throw new Error(`seeded ${big.matches} and ${small.matches} matches, expected ${MATCHES}`);

  const indexes = await Customer.collection.indexes();
  const hasBirthdayIndex = indexes.some((ix) => JSON.stringify(ix.key) === JSON.stringify({ orgId: 1, birthdayMds: 1 }));
  const taskIndexes = await FollowupTask.collection.indexes();
  const others = await otherOccasions(String(big.orgId));
  const clash = others.filter((o) => o.days === null || o.days <= o.leadDays);
  if (clash.length) throw new Error(`occasions other than birthdays fall within their lead on ${TODAY}: ${clash.map((o) => o.occasion).join(', ')}`);

  // One untimed read of each organisation's candidates first, so neither run pays for warming up the server and the process.
  await timeQuery(big.orgId);
  await timeQuery(small.orgId);
  const bigRun = await timeJob(big.orgId);
  const smallRun = await timeJob(small.orgId);
  const stored = { big: await FollowupTask.countDocuments({ orgId: big.orgId }), small: await FollowupTask.countDocuments({ orgId: small.orgId }) };
  const again = await timeJob(big.orgId);
  const storedAgain = await FollowupTask.countDocuments({ orgId: big.orgId });
  const query = { big: await timeQuery(big.orgId), small: await timeQuery(small.orgId) };

  const ratio = bigRun.ms / smallRun.ms;
  const check = (ok: boolean) => {
    if (!ok) exitCode = 1;
    return ok ? 'PASS' : 'FAIL';
  };
  const row = (label: string, s: Seeded, run: Timed, count: number) =>
    `${label.padEnd(18)} ${String(s.customers).padStart(8)} customers, ${s.matches} in the window: ${seconds(run.ms).padStart(9)}, ` +
    `created ${run.created} (matched ${run.matched}, stored ${count}) [${check(run.created === s.matches && count === s.matches)}]`;

  out();
  out('== Storelink follow-up task job (createFollowupTasks) ==');
  out(`engine             ${db.engine} (${db.kind})`);
  out(`today              ${TODAY}, window ${TODAY} .. ${addDays(TODAY, LEAD)} (birthday and relative-birthday lead ${LEAD} days)`);
  out(
    `other occasions    ${others.map((o) => `${o.occasion} ${o.date} (in ${o.days} days, lead ${o.leadDays})`).join(', ') || 'none enabled'}: none within its lead, so every task is a birthday`,
  );
  out(`customers          each with 1-2 relatives; one occasion in the window per matching customer (half own, half a relative's)`);
  out(`decoys per org     ${big.decoys} in the window but erased or owned by a clerk who left (must get no task)`);
  out(`owners             ${CLERKS} active clerks per organisation`);
  out(
    `indexes            {orgId, birthdayMds} declared: ${hasBirthdayIndex ? 'yes' : 'NO'}; customers ${indexes.length}, followuptasks ${taskIndexes.length}` +
      (db.kind === 'standin' ? ' (the stand-in builds only the unique ones: queries scan)' : ''),
  );
  out(`seed time          A ${seconds(big.seedMs)}, B ${seconds(small.seedMs)}`);
  out(row('job, org A', big, bigRun, stored.big));
  out(row('job, org B', small, smallRun, stored.small));
  out(
    `query alone        A ${seconds(query.big.ms)} (${query.big.found} customers), B ${seconds(query.small.ms)} (${query.small.found} customers): the job's find, through the driver`,
  );
  out(`ratio A/B          ${ratio.toFixed(2)}x (customers ${(BIG / SMALL).toFixed(0)}x, matches 1x)`);
  if (db.kind === 'standin') {
    out(
      `note               without the index the stand-in reads all ${BIG + SMALL} customers of both organisations for either one, so this ratio says little about the index; set MONGODB_URI for a real MongoDB`,
    );
  }
  out(
    `second run, org A  ${seconds(again.ms).padStart(9)}, created ${again.created} (matched ${again.matched}), tasks stored ${stored.big} -> ${storedAgain} [${check(again.created === 0 && storedAgain === stored.big)}]`,
  );
  if (again.created !== 0 && storedAgain === stored.big) {
    out(`note               nothing was stored twice, yet the job reported ${again.created} created: its count of created tasks is wrong`);
  }
  out(`peak RSS (node)    ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  if (args.keep) out(`kept the ${BENCH_DB} database` + (db.kind === 'uri' ? '' : ' (it goes with the server this script started)'));
} catch (err) {
  process.stderr.write(`benchmark failed: ${(err as Error).stack ?? String(err)}\n`);
  exitCode = 1;
} finally {
  await cleanup();
}
process.exitCode = exitCode;
