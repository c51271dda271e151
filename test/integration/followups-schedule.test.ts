import { describe, expect, it, beforeAll } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { SMTPServer } from 'smtp-server';
import type { Agenda } from 'agenda';
import { useTestDatabase, testDatabaseUri } from '../setup/db.js';
import { createCustomer, createOrgWithTeam, ctxFor } from '../factories.js';
import { mongoose } from '../../server/db/connect.js';
import { createAgenda } from '../../jobs/agenda.js';
import { jobs } from '../../jobs/index.js';
import { scheduleAllOrgJobs, scheduleOrgJobs } from '../../jobs/schedules.js';
import { createLogger } from '../../server/logger.js';
import { FollowupTask, FollowupDigest } from '../../server/models/followup-task.js';
import { Staff } from '../../server/models/staff.js';
import { updateOrgSettings, getOrganization } from '../../server/services/org/settings.js';
import { effectiveSettings } from '../../server/domain/settings.js';
import { listOrgJobs, retryOrgJob } from '../../server/services/jobs/job-admin.js';
import { runDailyFollowups } from '../../server/services/followups/daily-run.js';
import { deliverDueDigests } from '../../server/services/followups/digests.js';
import { configureMailer } from '../../server/services/mail/mailer.js';
import { useFrozenClock } from '../setup/clock.js';
import { rootDir } from '../../server/paths.js';

let agenda: Agenda | undefined;
let stopListening: (() => void) | undefined;
useTestDatabase({
  beforeClose: async () => {
    stopListening?.();
    await agenda?.stop();
  },
});

beforeAll(async () => {
  const started = createAgenda({ db: mongoose.connection.db!, log: createLogger('silent'), jobs, processEvery: 200, lockLifetimeMs: 1000 });
  await started.start();
  agenda = started;
  stopListening = await scheduleAllOrgJobs(started, createLogger('silent'));
});
const clock = useFrozenClock();

const dailyJobsOf = async (orgId: string) => (await agenda!.queryJobs({ name: 'followups.daily', data: { orgId } })).jobs;

describe('the daily follow-up schedule', () => {
  it("repeats once per organisation at 08:30 in the organisation's timezone, and follows a settings change", async () => {
    const { org, admin } = await createOrgWithTeam();
    const orgId = String(org._id);
    await scheduleOrgJobs(agenda!, orgId, { replace: false });
    await scheduleOrgJobs(agenda!, orgId, { replace: false });
    let [job, ...more] = await dailyJobsOf(orgId);
    expect(more).toHaveLength(0);
    expect(job).toMatchObject({ repeatInterval: '30 8 * * *', repeatTimezone: 'Asia/Shanghai' });
    // The next run is at 08:30 Shanghai time, i.e. 00:30 UTC.
    expect(new Date(job!.nextRunAt!).toISOString()).toMatch(/T00:30:00\.000Z$/);

    const current = await getOrganization(ctxFor(admin));
    await updateOrgSettings(ctxFor(admin), {
      name: current.name,
      settings: { ...effectiveSettings(current.settings), timezone: 'Europe/Berlin', followupRunAt: '07:15' },
    });
    for (let i = 0; i < 50 && job?.repeatTimezone !== 'Europe/Berlin'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      [job, ...more] = await dailyJobsOf(orgId);
    }
    expect(more).toHaveLength(0);
    expect(job).toMatchObject({ repeatInterval: '15 7 * * *', repeatTimezone: 'Europe/Berlin' });
  });

  it('runs through Agenda, and an admin sees and retries only their own organisation’s jobs', async () => {
    const { org, store, clerk, admin } = await createOrgWithTeam();
    const other = await createOrgWithTeam();
    await scheduleOrgJobs(agenda!, String(other.org._id), { replace: false });
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, birthday: { month: 12, day: 2 } });
    clock.set('2026-12-01T00:30:00Z');
    await scheduleOrgJobs(agenda!, String(org._id), { replace: false });
    const [daily] = await dailyJobsOf(String(org._id));

    const finished = new Promise<void>((resolve, reject) => {
      agenda!.on('complete:followups.daily', (job) => {
        if ((job.attrs.data as { orgId: string }).orgId === String(org._id)) resolve();
      });
      agenda!.on('fail:followups.daily', (err: Error) => reject(err));
    });
    await retryOrgJob(ctxFor(admin), agenda, String(daily!._id));
    await finished;
    expect(await FollowupTask.countDocuments({ orgId: org._id, ownerId: clerk._id, date: '2026-12-02' })).toBe(1);

    const listed = await listOrgJobs(ctxFor(admin), agenda);
    expect(listed.length).toBeGreaterThanOrEqual(1);
    expect(listed.every((job) => job.data.orgId === String(org._id))).toBe(true);
    const foreign = (await dailyJobsOf(String(other.org._id)))[0]!;
    await expect(retryOrgJob(ctxFor(admin), agenda, String(foreign._id))).rejects.toMatchObject({ status: 404 });
    await expect(listOrgJobs(ctxFor(clerk), agenda)).rejects.toMatchObject({ status: 403 });
  });
});

describe('npm run job -- followups', () => {
  it('runs the same code for a given day against the database it is pointed at', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, birthday: { month: 3, day: 10 } });
    const uri = testDatabaseUri(mongoose.connection.name);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'scripts/run-job.ts', 'followups', '--date', '2027-03-05', '--org', String(org._id)],
      {
        cwd: rootDir,
        env: { ...process.env, MONGODB_URI: uri, LOG_LEVEL: 'silent', NODE_ENV: 'development' },
      },
    );
    expect(stdout).toContain('2027-03-05: 1 follow-up tasks created');
    expect(await FollowupTask.countDocuments({ orgId: org._id, date: '2027-03-10' })).toBe(1);
    await expect(
      promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/run-job.ts', 'followups', '--date', '2027-02-31'], {
        cwd: rootDir,
        env: { ...process.env, MONGODB_URI: uri },
      }),
    ).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--date must be a real day'),
    });
  }, 60_000);
});

describe('the e-mailed digest', () => {
  it('goes to the clerk’s address through SMTP once, when SMTP is configured', async () => {
    const received: string[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, callback) {
        let text = '';
        stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        stream.on('end', () => {
          received.push(`${session.envelope.rcptTo.map((r) => r.address).join(',')}\n${text}`);
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const port = (smtp.server.address() as { port: number }).port;
    configureMailer({ smtpUrl: `smtp://127.0.0.1:${port}`, from: 'Storelink <noreply@example.test>' });
    try {
      const { org, store, clerk } = await createOrgWithTeam();
      await Staff.updateOne({ _id: clerk._id, orgId: org._id }, { $set: { email: 'clerk@example.test' } });
      await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, birthday: { month: 12, day: 1 } });
      const at = new Date('2026-12-01T00:30:00Z');
      await runDailyFollowups(String(org._id), at);
      await deliverDueDigests(at);
      await deliverDueDigests(at);
      expect(received).toHaveLength(1);
      expect(received[0]).toMatch(/^clerk@example\.test\n/);
      const digest = await FollowupDigest.findOne({ orgId: org._id, staffId: clerk._id }).lean();
      expect(digest?.emailedAt).toBeInstanceOf(Date);
    } finally {
      configureMailer({ smtpUrl: undefined });
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
  });
});
