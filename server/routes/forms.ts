// Moved to the transport kit (server/http); routes not yet moved import it from here.
export * from '../http/forms.js';
