// Moved to server/routes/media/media.api.ts; routes not yet moved import the API's picture address from here.
export { apiImageBase } from '../media/media.api.js';
