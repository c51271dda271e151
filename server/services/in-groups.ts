import { runtime, type GroupQueue } from '../runtime.js';

/**
 * Work gathered into groups (group commit): what arrives while a group is being carried out waits and goes together
 * in the next one, so a burst of callers makes a few database round trips instead of one each. A lone caller starts
 * at once (after the current turn of the event loop, so callers of the same moment go together). Each caller gets
 * its own item's answer; a group that fails fails every caller in it, as their own calls would have.
 */
export function inGroups<T, R>(name: string, run: (items: T[]) => Promise<R[]>, opts: { max?: number } = {}): (item: T) => Promise<R> {
  const max = opts.max ?? 500;
  // The waiting work lives in the installed runtime, under the batcher's name (one queue per name and process).
  const queueOf = (): GroupQueue<T, R> => {
    const batches = runtime().batches;
    let queue = batches.get(name) as GroupQueue<T, R> | undefined;
    if (!queue) batches.set(name, (queue = { waiting: [], running: false }) as GroupQueue<unknown, unknown>);
    return queue;
  };
  const drain = async (queue: GroupQueue<T, R>) => {
    while (queue.waiting.length) {
      const group = queue.waiting.slice(0, max);
      queue.waiting = queue.waiting.slice(group.length);
      try {
        const answers = await run(group.map((g) => g.item));
        group.forEach((g, i) => g.resolve(answers[i]!));
      } catch (err) {
        for (const g of group) g.reject(err);
      }
    }
    queue.running = false;
  };
  return (item) =>
    new Promise<R>((resolve, reject) => {
      const queue = queueOf();
      queue.waiting.push({ item, resolve, reject });
      if (!queue.running) {
        queue.running = true;
        setImmediate(() => void drain(queue));
      }
    });
}
