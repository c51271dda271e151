import sharp from 'sharp';
import { mongoose } from '../../server/db/connect.js';

/**
 * Files that start like a picture and are none: the signature of an allowed type, then markup or a cut-off stream.
 * A type sniffer takes each for a picture; only decoding tells them apart.
 */
export async function lookalikePictures(): Promise<{ label: string; data: Buffer }[]> {
  const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#0a0' } }).jpeg().toBuffer();
  return [
    { label: 'GIF89a<script>', data: Buffer.from('GIF89a<script>alert(document.cookie)</script>') },
    { label: 'PNG signature then HTML', data: Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from('<html><script>alert(1)</script></html>')]) },
    { label: 'a JPEG cut short', data: jpeg.subarray(0, Math.floor(jpeg.length * 0.6)) },
  ];
}

/** Files and chunks in both picture buckets of this test file's database; chunks are counted whoever they belong to. */
export async function storedPictures(): Promise<Record<string, number>> {
  const db = mongoose.connection.db!;
  const counts: Record<string, number> = {};
  for (const bucket of ['media', 'chatImages']) {
    counts[`${bucket}.files`] = await db.collection(`${bucket}.files`).countDocuments();
    counts[`${bucket}.chunks`] = await db.collection(`${bucket}.chunks`).countDocuments();
  }
  return counts;
}
