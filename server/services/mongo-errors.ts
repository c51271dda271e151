/** MongoDB's duplicate key error (E11000), from the driver or from Mongoose. */
export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}
