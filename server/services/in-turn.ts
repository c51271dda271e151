/**
 * Work queued by key: each run of a key starts once the one before it settled (fulfilled or rejected), in the order
 * they were queued; different keys run side by side. Per process: it orders work, it decides nothing across processes.
 */
export function inTurns(): <T>(key: string, run: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<unknown>>();
  return (key, run) => {
    const result = (tails.get(key) ?? Promise.resolve()).then(run);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return result;
  };
}
