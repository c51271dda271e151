import type { Logger } from 'pino';

/**
 * The last line of defence, installed by main.ts: an error that escapes a stream, a timer or an event callback is
 * logged instead of ending the process. The process serves every organisation, so one clerk's bad record must not
 * stop everyone's work; the code where such an error arose is the defect to fix (the log names it).
 */
export function installProcessGuards(log: Logger): void {
  process.on('unhandledRejection', (reason: unknown) => {
    log.error({ err: reason }, 'unhandled promise rejection (kept running)');
  });
  process.on('uncaughtException', (err: Error, origin: string) => {
    log.error({ err, origin }, 'uncaught exception (kept running)');
  });
}
