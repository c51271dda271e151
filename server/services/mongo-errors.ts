/** MongoDB's duplicate key error (E11000), from the driver or from Mongoose. */
export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}

/**
 * An upsert that two requests make at once for a record that does not exist yet: one inserts, the other collides on
 * the unique key without anything being wrong, and is run once more (it then finds the record). A second collision
 * is the caller's to interpret (a conditional upsert whose condition failed).
 */
export async function upsertRetryingOnce<T>(upsert: () => Promise<T>): Promise<T> {
  try {
    return await upsert();
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    return upsert();
  }
}
