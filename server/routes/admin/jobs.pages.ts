import type { RouteSpec } from '../../http/gate.js';
import { form, page } from '../../http/surfaces.js';
import { presentJobRow } from '../../presenters/job.js';
import * as jobs from './jobs.endpoints.js';

export const jobPageRoutes: RouteSpec[] = [
  page.get('/admin/jobs', jobs.jobsOverview, {
    view: 'pages/admin/jobs',
    status: ({ unavailable }) => (unavailable ? 503 : 200),
    model: ({ rows, unavailable }, { t, locale }) => ({
      title: t('jobs.title'),
      jobs: rows.map((row) => presentJobRow(row, { t, locale })),
      ...(unavailable ? { unavailable } : {}),
    }),
  }),
  form.post('/admin/jobs/:id/retry', jobs.retryJob, { flash: 'jobs.retried', redirect: '/admin/jobs' }),
];
