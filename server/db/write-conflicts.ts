/**
 * A write the database undid because a concurrent write held what it needed: nothing was applied, so running it again
 * is safe. MongoDB retries these itself outside transactions (WriteConflict, 112, reaches clients only inside one);
 * PostgreSQL under FerretDB reports them with its SQLSTATE as the code: deadlock_detected (40P01) and
 * serialization_failure (40001); on a findAndModify it answers InternalError (1) for those and for two inserts of
 * one unique key colliding, the statement rolled back in every case.
 */
const TRANSIENT_WRITE_CONFLICTS = new Set([112, 16908292, 16777220, 1]);

export function isTransientWriteConflict(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, hasErrorLabel } = err as { code?: unknown; hasErrorLabel?: (label: string) => boolean };
  return (
    (typeof code === 'number' && TRANSIENT_WRITE_CONFLICTS.has(code)) ||
    (typeof hasErrorLabel === 'function' && hasErrorLabel.call(err, 'TransientTransactionError'))
  );
}

/** How many times a write undone by a transient conflict is tried in all. */
export const TRANSIENT_ATTEMPTS = 5;
