import { endpoint } from '../../http/endpoint.js';
import { jobParams } from './jobs.schema.js';
import { listJobsOverview, retryOrgJob } from '../../services/jobs/job-admin.js';
import { ServiceUnavailableError } from '../../errors.js';

/** The organisation's jobs, read and retried through the app's one scheduler. */

/** A process without a scheduler still shows the page, saying so (503), rather than an error page. */
export const jobsOverview = endpoint({
  access: { permission: 'job.read' },
  run: (ctx, _input, { agenda }) =>
    listJobsOverview(ctx, agenda).then(
      (rows) => ({ rows, unavailable: false }),
      (err: unknown) => {
        if (err instanceof ServiceUnavailableError) return { rows: [], unavailable: true };
        throw err;
      },
    ),
});

export const retryJob = endpoint({
  access: { permission: 'job.manage' },
  input: { params: jobParams },
  run: (ctx, { params }, { agenda }) => retryOrgJob(ctx, agenda, params.id),
});
