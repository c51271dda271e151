// Benchmark (not a test): CSV import rows/s beside a raw insertMany of the same rows, and the peak memory.
// npx tsx scripts/bench/import.ts [--rows 100000]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { createLogger } from '../../server/logger.js';
import { openDatabase } from '../../server/db/open.js';
import { describeEngine } from '../../server/db/engine.js';
import { mongoose } from '../../server/db/connect.js';
import { Organization } from '../../server/models/organization.js';
import { Store } from '../../server/models/store.js';
import { Staff } from '../../server/models/staff.js';
import { CustomerImport } from '../../server/models/customer-import.js';
import { hashPassword } from '../../server/services/auth/passwords.js';
import { actorOf } from '../../server/services/auth/actor.js';
import { startCustomerImport } from '../../server/services/customers/import.js';
import { customerPhoneFields } from '../../server/services/customers/phones.js';
import { birthdayOf } from '../../server/services/customers/birthdays.js';
import { nameKeyOf } from '../../server/models/customer-name-key.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '100000' } } });
const rows = Number(values.rows);
const log = createLogger('warn');
const db = await openDatabase({ mongodbUri: process.env.MONGODB_URI, mode: 'persistent', log, dbName: 'storelink_bench_import' });
await mongoose.connection.dropDatabase();
await Promise.all(Object.values(mongoose.models).map((m) => m.createIndexes()));

const phoneOf = (i: number, prefix: string) => `${prefix}${String(i).padStart(8, '0')}`;
const file = path.join(os.tmpdir(), `storelink-bench-${process.pid}.csv`);
const out = fs.createWriteStream(file);
out.write('name,phone,gender,birthday,relatives,tags,source,notes\n');
for (let i = 0; i < rows; i++) out.write(`客户${i},${phoneOf(i, '139')},女,1990-0${(i % 9) + 1}-1${i % 9},母亲|某某|--12-03,,in_store,\n`);
await new Promise<void>((resolve) => out.end(resolve));

const org = await Organization.create({ name: 'Bench' });
const store = await Store.create({ orgId: org._id, name: 'Bench store' });
const clerk = await Staff.create({
  orgId: org._id,
  login: `bench-${process.pid}`,
  passwordHash: await hashPassword('bench-password'),
  realName: 'Bench',
  roles: ['clerk'],
  storeId: store._id,
});
const ctx = { actor: actorOf(clerk), orgId: String(org._id) };

let t0 = performance.now();
const { importId, done } = await startCustomerImport(ctx, { filePath: file, fileName: 'bench.csv', policy: 'skip' });
await done;
const importMs = performance.now() - t0;
const importPeakRssMb = process.resourceUsage().maxRSS / 1024;
const result = await CustomerImport.findOne({ _id: importId, orgId: org._id }).lean();

// The same rows inserted raw (another number range), in the same batch size, as the floor to compare with.
const raw = mongoose.connection.db!.collection('customers');
t0 = performance.now();
for (let start = 0; start < rows; start += 500) {
  const batch = [];
  for (let i = start; i < Math.min(rows, start + 500); i++) {
    const birthday = birthdayOf({ year: 1990, month: (i % 9) + 1, day: 10 + (i % 9) });
    batch.push({
      orgId: org._id,
      name: `客户${i}`,
      nameKey: nameKeyOf(`客户${i}`),
      ...customerPhoneFields(phoneOf(i, '137')),
      gender: 'female',
      birthday,
      relatives: [{ relation: '母亲', name: '某某', birthday: birthdayOf({ month: 12, day: 3 }) }],
      birthdayMds: [birthday.md, 1203],
      tagIds: [],
      source: 'in_store',
      notes: '',
      ownerId: clerk._id,
      storeId: store._id,
      createdAt: new Date(),
      updatedAt: new Date(),
    });
  }
  await raw.insertMany(batch, { ordered: false });
}
const rawMs = performance.now() - t0;

const importRate = rows / (importMs / 1000);
const rawRate = rows / (rawMs / 1000);
const peakRssMb = process.resourceUsage().maxRSS / 1024;
console.log(`engine: ${await describeEngine(mongoose.connection.db!, db.kind)} (${db.kind})`);
console.log(`rows: ${rows} (created ${result?.created}, rejected ${result?.rejected}, status ${result?.status})`);
console.log(`import: ${(importMs / 1000).toFixed(1)} s, ${importRate.toFixed(0)} rows/s`);
console.log(`raw insertMany: ${(rawMs / 1000).toFixed(1)} s, ${rawRate.toFixed(0)} rows/s`);
console.log(`ratio import/raw: ${(importRate / rawRate).toFixed(2)} (target >= 0.5: ${importRate / rawRate >= 0.5 ? 'PASS' : 'FAIL'})`);
console.log(
  `peak RSS while importing: ${importPeakRssMb.toFixed(0)} MB (target < 300 MB: ${importPeakRssMb < 300 ? 'PASS' : 'FAIL'}); whole run: ${peakRssMb.toFixed(0)} MB`,
);

fs.rmSync(file, { force: true });
await mongoose.connection.dropDatabase();
await db.close();
