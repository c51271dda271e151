// Moved to the transport kit (server/http/gate.ts); routes not yet moved to endpoint() import route() from here.
export * from '../http/gate.js';
