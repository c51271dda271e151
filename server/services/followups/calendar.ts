// The calendar is shared vocabulary now (server/domain/calendar.ts); this path stays for the routes that still import it.
export * from '../../domain/calendar.js';
