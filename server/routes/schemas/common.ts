// Moved to server/domain/input-fields.ts (services use the field builders too); route schemas not yet moved import them from here.
export * from '../../domain/input-fields.js';
