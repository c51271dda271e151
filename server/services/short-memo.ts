/**
 * A read kept for a short time per key, shared by callers of the same moment (the pending promise is kept, so a
 * burst reads once); a failed read is not kept. For values where a stale copy is harmless for `ttlMs`: say why
 * where one is made.
 */
export function shortMemo<T>(ttlMs: number) {
  const entries = new Map<string, { at: number; value: Promise<T> }>();
  return {
    get(key: string, read: () => Promise<T>): Promise<T> {
      const cached = entries.get(key);
      if (cached && Date.now() - cached.at < ttlMs) return cached.value;
      const entry = { at: Date.now(), value: read() };
      entries.set(key, entry);
      entry.value.catch(() => entries.get(key) === entry && entries.delete(key));
      return entry.value;
    },
    forget(key: string): void {
      entries.delete(key);
    },
    clear(): void {
      entries.clear();
    },
  };
}
