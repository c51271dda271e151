// The festivals are shared vocabulary now (server/domain/holidays.ts); this path stays for the routes that still import it.
export * from '../../domain/holidays.js';
