import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Express } from 'express';
import type { Agenda } from 'agenda';
import { useTestDatabase } from '../setup/db.js';
import { signIn } from '../setup/app.js';
import { createOrgWithTeam, PASSWORD } from '../factories.js';
import { mongoose } from '../../server/db/connect.js';
import { createApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { logger } from '../../server/logger.js';
import { createAgenda, scheduleRecurring } from '../../jobs/agenda.js';
import { jobs } from '../../jobs/index.js';
import { scheduleOrgJobs } from '../../jobs/schedules.js';

let agenda: Agenda | undefined;
useTestDatabase({ beforeClose: async () => agenda?.stop() });

let app: Express;
beforeAll(async () => {
  // Not started: the page only reads the schedules.
  agenda = createAgenda({ db: mongoose.connection.db!, log: logger, jobs });
  ({ app } = await createApp(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), logger, { agenda }));
  await scheduleRecurring(agenda, jobs);
});

const rowOf = (html: string, name: string) => new RegExp(`<tr[^>]*data-job="${name.replace('.', '\\.')}"[^>]*>([\\s\\S]*?)</tr>`).exec(html)?.[1] ?? '';

describe('the jobs page', () => {
  it('lists every job of the registry with its schedule in words, never a cron string', async () => {
    const { org, admin } = await createOrgWithTeam({ followupRunAt: '08:30' });
    await scheduleOrgJobs(agenda!, String(org._id), { replace: true });
    const page = await (await signIn(app, admin.login, PASSWORD)).get('/admin/jobs').expect(200);

    for (const job of jobs) expect(rowOf(page.text, job.name)).not.toBe('');
    expect(page.text).not.toContain('jobs.names.');
    expect(page.text).not.toMatch(/\d+ \d+ \* \* \*/);
    expect(rowOf(page.text, 'followups.daily')).toContain('每天 08:30');
    expect(rowOf(page.text, 'followups.daily')).toContain('中国标准时间');
    expect(rowOf(page.text, 'chat.sweep')).toContain('每 15 秒');
    expect(rowOf(page.text, 'campaigns.fire-due')).toContain('每分钟');
    expect(rowOf(page.text, 'maintenance.purge-expired')).toContain('每小时');
    // Only the organisation's own job can be run from here.
    expect(page.text.match(/action="\/admin\/jobs\/[0-9a-f]{24}\/retry"/g)).toHaveLength(1);
    expect(rowOf(page.text, 'followups.daily')).toContain('/retry');
  });

  it('shows the organisation’s failed run with its error, and a platform job’s failure without its text', async () => {
    const { org, admin } = await createOrgWithTeam();
    await scheduleOrgJobs(agenda!, String(org._id), { replace: true });
    const failedAt = new Date();
    const collection = mongoose.connection.db!.collection('agendaJobs');
    await collection.updateOne(
      { name: 'followups.daily', 'data.orgId': String(org._id) },
      { $set: { failReason: 'our own failure', failedAt, lastRunAt: failedAt, lastFinishedAt: failedAt, failCount: 1 } },
    );
    await collection.updateOne(
      { name: 'followups.deliver-digests' },
      { $set: { failReason: 'mentions another organisation', failedAt, lastRunAt: failedAt, lastFinishedAt: failedAt, failCount: 1 } },
    );

    const page = await (await signIn(app, admin.login, PASSWORD)).get('/admin/jobs').expect(200);
    expect(rowOf(page.text, 'followups.daily')).toContain('our own failure');
    expect(rowOf(page.text, 'followups.deliver-digests')).toContain('上次运行失败，运维已收到记录。');
    expect(page.text).not.toContain('mentions another organisation');
  });
});
