// npm run seed [-- --reset]: seeds the demo organisation into an empty database (or wipes and re-seeds with --reset).
import { parseArgs } from 'node:util';
import { loadConfig } from '../server/config.js';
import { createLogger } from '../server/logger.js';
import { openDatabase } from '../server/db/open.js';
import { closeRuntime, installRuntime } from '../server/runtime.js';
import { isDatabaseEmpty, resetDatabase, seedDemo, demoLogins, DEMO_PASSWORD } from '../server/services/seed/demo.js';

const { values } = parseArgs({ options: { reset: { type: 'boolean', default: false }, force: { type: 'boolean', default: false } } });
const config = loadConfig();
const log = createLogger(config.logLevel);
if (config.env === 'production' && !values.force) {
  process.stderr.write('Refusing to seed demo data with NODE_ENV=production; add --force if you mean it.\n');
  process.exit(1);
}
installRuntime();
const database = await openDatabase({ mongodbUri: config.mongodbUri, mode: 'persistent', log, production: config.env === 'production' });
try {
  if (values.reset) await resetDatabase();
  if (!(await isDatabaseEmpty())) {
    process.stdout.write('The database already holds data; nothing seeded. Use --reset to wipe and re-seed.\n');
  } else {
    const { customers } = await seedDemo();
    process.stdout.write(
      `Seeded the demo organisation with ${customers} customers.\nDemo logins (password "${DEMO_PASSWORD}"): ${demoLogins.map((d) => d.login).join(', ')}\n`,
    );
  }
} finally {
  closeRuntime();
  await database.close();
}
