import { EventEmitter } from 'node:events';
import { RateLimitedError } from '../errors.js';
import { uploadLimits } from '../domain/settings.js';

/** Who an upload counts against: a staff member (whichever tab or token), or an address on the public chat pages. */
export type Uploader = { staffId: string } | { address: string };

/**
 * Picture uploads in progress in this process, counted per uploader and in total. Memory is per process, so the
 * count is too (a shared store would only add a count that a crashed process never gives back). Emits `change`
 * whenever a slot is taken or given back, for logs and tests that wait for uploads to settle.
 */
class UploadSlots extends EventEmitter {
  #total = 0;
  readonly #byUploader = new Map<string, number>();

  /** Takes a slot or refuses at once (429); the returned function gives it back and may be called more than once. */
  take(uploader: Uploader): () => void {
    const [key, cap] =
      'staffId' in uploader
        ? [`staff:${uploader.staffId}`, uploadLimits.concurrentPerStaff]
        : [`address:${uploader.address}`, uploadLimits.concurrentPerAddress];
    const held = this.#byUploader.get(key) ?? 0;
    if (held >= cap) {
      throw new RateLimitedError(`At most ${cap} uploads at once: wait until one has finished.`, uploadLimits.retryAfterSeconds, {
        code: 'too_many_uploads',
        messageKey: 'errors.too_many_uploads',
        params: { max: cap },
      });
    }
    if (this.#total >= uploadLimits.concurrentTotal) {
      throw new RateLimitedError('The server is receiving many uploads right now: try again shortly.', uploadLimits.retryAfterSeconds, {
        code: 'uploads_busy',
        messageKey: 'errors.uploads_busy',
      });
    }
    this.#byUploader.set(key, held + 1);
    this.#total += 1;
    this.emit('change');
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const left = (this.#byUploader.get(key) ?? 1) - 1;
      if (left > 0) this.#byUploader.set(key, left);
      else this.#byUploader.delete(key);
      this.#total -= 1;
      this.emit('change');
    };
  }

  /** Uploads in progress in this process. */
  inUse(): number {
    return this.#total;
  }
}

export const uploadSlots = new UploadSlots();
