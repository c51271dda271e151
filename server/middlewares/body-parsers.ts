import express, { type RequestHandler } from 'express';

/** The bodies the app reads itself (JSON and forms, UTF-8 only) and their limits, named for the error answers. */
export const BODY_LIMIT_BYTES = 100 * 1024;
export const FORM_FIELD_LIMIT = 1000;

export function bodyParsers(): RequestHandler[] {
  return [express.json({ limit: BODY_LIMIT_BYTES }), express.urlencoded({ extended: false, limit: BODY_LIMIT_BYTES, parameterLimit: FORM_FIELD_LIMIT })];
}
