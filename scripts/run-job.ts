// npm run job -- <name> [--data '{"orgId": "..."}']: runs one job's handler now, against the same database as the app.
import { parseArgs } from 'node:util';
import { loadConfig } from '../server/config.js';
import { createLogger } from '../server/logger.js';
import { openDatabase } from '../server/db/open.js';
import { jobs, findJob } from '../jobs/index.js';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { data: { type: 'string', default: '{}' } } });
const name = positionals[0];
const spec = name ? findJob(name) : undefined;
if (!spec) {
  process.stderr.write(`Usage: npm run job -- <name> [--data JSON]\nJobs: ${jobs.map((j) => j.name).join(', ')}\n`);
  process.exit(2);
}
const config = loadConfig();
const log = createLogger(config.logLevel);
const database = await openDatabase({ mongodbUri: config.mongodbUri, mode: 'persistent', log, production: config.env === 'production' });
try {
  const data = spec.data.parse(JSON.parse(values.data ?? '{}'));
  await spec.run(data, undefined as never);
  process.stdout.write(`Job ${spec.name} finished.\n`);
} finally {
  await database.close();
}
