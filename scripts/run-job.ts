// npm run job -- <name> [--data '{"orgId": "..."}']: runs one job's handler now, against the same database as the app.
// npm run job -- followups --date YYYY-MM-DD [--org ID]: the daily follow-up run for a given day (every organisation, or one).
import { parseArgs } from 'node:util';
import { loadConfig } from '../server/config.js';
import { createLogger } from '../server/logger.js';
import { openDatabase } from '../server/db/open.js';
import { closeRuntime, installRuntime } from '../server/runtime.js';
import { jobs, findJob } from '../jobs/index.js';
import { listOrganizationIds, runDailyFollowups } from '../server/services/followups/daily-run.js';
import { isRealDate } from '../server/domain/calendar.js';
import { clock } from '../server/clock.js';

const usage = `Usage: npm run job -- <name> [--data JSON]\n       npm run job -- followups [--date YYYY-MM-DD] [--org ID]\nJobs: ${jobs.map((j) => j.name).join(', ')}\n`;
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { data: { type: 'string', default: '{}' }, date: { type: 'string' }, org: { type: 'string' } },
});
const name = positionals[0];
const spec = name ? findJob(name) : undefined;
if (name !== 'followups' && !spec) {
  process.stderr.write(usage);
  process.exit(2);
}
if (values.date !== undefined && !isRealDate(values.date)) {
  process.stderr.write(`--date must be a real day as YYYY-MM-DD, not "${values.date}".\n`);
  process.exit(2);
}
if (values.org !== undefined && !/^[0-9a-f]{24}$/.test(values.org)) {
  process.stderr.write(`--org must be an organisation id (24 hex characters), not "${values.org}".\n`);
  process.exit(2);
}
const config = loadConfig();
const log = createLogger(config.logLevel);
installRuntime();
const database = await openDatabase({ mongodbUri: config.mongodbUri, mode: 'persistent', log, production: config.env === 'production' });
try {
  if (name === 'followups') {
    const orgIds = values.org ? [values.org] : await listOrganizationIds();
    for (const orgId of orgIds) {
      const result = await runDailyFollowups(orgId, clock.now(), { date: values.date });
      process.stdout.write(
        `Organisation ${orgId}, ${result.date}: ${result.created} follow-up tasks created (${result.matched} occasions matched), ${result.digests} digests prepared.\n`,
      );
    }
  } else {
    const data = spec!.data.parse(JSON.parse(values.data ?? '{}'));
    await spec!.run(data, undefined as never);
    process.stdout.write(`Job ${spec!.name} finished.\n`);
  }
} finally {
  closeRuntime();
  await database.close();
}
