/**
 * Work gathered into groups (group commit): what arrives while a group is being carried out waits and goes together
 * in the next one, so a burst of callers makes a few database round trips instead of one each. A lone caller starts
 * at once (after the current turn of the event loop, so callers of the same moment go together). Each caller gets
 * its own item's answer; a group that fails fails every caller in it, as their own calls would have.
 */
export function inGroups<T, R>(run: (items: T[]) => Promise<R[]>, opts: { max?: number } = {}): (item: T) => Promise<R> {
  const max = opts.max ?? 500;
  let waiting: { item: T; resolve: (r: R) => void; reject: (err: unknown) => void }[] = [];
  let running = false;
  const drain = async () => {
    while (waiting.length) {
      const group = waiting.slice(0, max);
      waiting = waiting.slice(group.length);
      try {
        const answers = await run(group.map((g) => g.item));
        group.forEach((g, i) => g.resolve(answers[i]!));
      } catch (err) {
        for (const g of group) g.reject(err);
      }
    }
    running = false;
  };
  return (item) =>
    new Promise<R>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (!running) {
        running = true;
        setImmediate(() => void drain());
      }
    });
}
