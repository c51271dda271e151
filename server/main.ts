import http from 'node:http';
import type { Socket } from 'node:net';
import { loadConfig, ConfigError } from './config.js';
import { createLogger } from './logger.js';
import { openDatabase } from './db/open.js';
import { DatabaseUnavailableError } from './db/resolve.js';
import { createApp } from './app.js';
import { attachRealtime } from './realtime/index.js';
import { createAgenda, scheduleRecurring } from '../jobs/agenda.js';
import { jobs } from '../jobs/index.js';
import { scheduleAllOrgJobs } from '../jobs/schedules.js';
import { enqueuePostDeliveries } from '../jobs/post-delivery.job.js';
import { configureMailer } from './services/mail/mailer.js';
import { listOrganizationIds, runDailyFollowups } from './services/followups/daily-run.js';
import { isDatabaseEmpty, seedDemo, demoLogins, DEMO_PASSWORD, DEMO_CHANNEL_KEY, DEMO_GROUP_INVITE_KEY } from './services/seed/demo.js';
import { mongoose } from './db/connect.js';
import { runPendingMigrations } from './services/maintenance/migrations.js';
import { installProcessGuards } from './process-guards.js';
import { closeRuntime, installRuntime } from './runtime.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel, { pretty: config.env === 'development' });
  installProcessGuards(log);
  // The process-local caches and queues, before anything (the seed included) calls a service that uses them.
  installRuntime();
  const database = await openDatabase({ mongodbUri: config.mongodbUri, mode: 'persistent', log, production: config.env === 'production', advertise: true });
  // Data repairs run once per database, before anything reads the data (also `npm run migrate`).
  await runPendingMigrations(log);

  const seedAllowed = config.seedDemo === 'always' || (config.seedDemo === 'auto' && config.env !== 'production');
  if (seedAllowed && (await isDatabaseEmpty())) {
    const { customers } = await seedDemo();
    log.info({ customers }, 'seeded the demo organisation into the empty database');
    // The demo's clerks see today's follow-ups at once instead of after the first 08:30 run.
    for (const orgId of await listOrganizationIds()) await runDailyFollowups(orgId, new Date());
  }

  configureMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom });
  const agenda = createAgenda({ db: mongoose.connection.db!, log, jobs });
  const { app, session } = await createApp(config, log, { agenda });
  const server = http.createServer(app);
  const realtime = attachRealtime(server, session, { appUrl: config.appUrl, requestTimeLimitMs: config.requestTimeLimitMs });
  await agenda.start();
  await scheduleRecurring(agenda, jobs);
  await scheduleAllOrgJobs(agenda, log);
  enqueuePostDeliveries(agenda, log);

  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://localhost:${port}`;
  // A developer gets the banner below instead (a log line printed after it would push it away).
  if (config.env === 'production') log.info({ url, database: database.kind, why: database.reason }, 'Storelink is listening');
  else {
    const standinWarning =
      database.kind === 'standin'
        ? '\n  WARNING: the stand-in is a test double for a demo, not for data that matters: run npm run db:install for a real database.'
        : '';
    process.stdout.write(
      `\n  Storelink is running at ${url}\n  Database: ${database.kind}: ${database.reason}${standinWarning}\n  Demo logins (password "${DEMO_PASSWORD}"): ${demoLogins.map((d) => d.login).join(', ')}\n  Demo customer chat: ${url}/c/${DEMO_CHANNEL_KEY}\n  Demo group invite: ${url}/g/${DEMO_GROUP_INVITE_KEY}\n\n`,
    );
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      for (const socket of sockets) socket.destroy();
    }, 10_000);
    force.unref();
    // Stop taking new connections and let requests in flight finish; idle keep-alive sockets close now.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await realtime.close();
    await closed;
    // Jobs already running finish (up to 10 s); the rest stay queued for the next process.
    await agenda.drain(10_000);
    closeRuntime();
    await database.close();
    log.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof DatabaseUnavailableError) {
    process.stderr.write(`${err.message}\n`);
  } else {
    process.stderr.write(`Storelink failed to start: ${(err as Error).stack ?? String(err)}\n`);
  }
  process.exit(1);
});
