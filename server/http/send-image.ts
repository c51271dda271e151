import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';

export type OpenedImage = { stream: Readable; mime: string; size: number; etag?: string | undefined };

/**
 * Images go out as what their bytes are, never sniffed into something else, and stay private to caches. With an
 * ETag a browser that already holds the picture gets 304 and no bytes.
 */
export async function sendImage(req: Request, res: Response, image: OpenedImage): Promise<void> {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'private, max-age=86400');
  if (image.etag) {
    res.setHeader('ETag', image.etag);
    if (req.fresh) {
      image.stream.destroy();
      res.status(304).end();
      return;
    }
  }
  res.setHeader('Content-Type', image.mime);
  res.setHeader('Content-Length', String(image.size));
  res.setHeader('Content-Disposition', 'inline');
  await pipeline(image.stream, res);
}
