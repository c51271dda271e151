// npm run migrate: runs the data migrations not yet recorded in the database (the app also runs them at start-up).
import { loadConfig } from '../server/config.js';
import { createLogger } from '../server/logger.js';
import { openDatabase } from '../server/db/open.js';
import { runPendingMigrations } from '../server/services/maintenance/migrations.js';

const config = loadConfig();
const log = createLogger(config.logLevel);
const database = await openDatabase({ mongodbUri: config.mongodbUri, mode: 'persistent', log, production: config.env === 'production' });
try {
  const ran = await runPendingMigrations(log);
  process.stdout.write(ran.length ? `Ran ${ran.length} migration(s): ${ran.join(', ')}\n` : 'No pending migrations.\n');
} finally {
  await database.close();
}
