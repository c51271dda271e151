import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const rootDir = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
export const viewsDir = path.join(rootDir, 'views');
export const publicDir = path.join(viewsDir, 'public');

/** Local state for development: the embedded database, its address, the generated session secret. */
export function dataDir(): string {
  return path.resolve(process.env.STORELINK_DATA_DIR ?? path.join(rootDir, '.data'));
}
