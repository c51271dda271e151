// The settings schema, defaults and limits are shared vocabulary (server/domain/settings.ts); this path stays for
// the modules that still import it.
export * from '../../domain/settings.js';
