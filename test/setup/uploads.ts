import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import sharp from 'sharp';
import request from 'supertest';
import type { Types } from 'mongoose';
import { csrfTokenIn, postForm, type Agent } from './app.js';
import { createChannel } from './chat.js';
import { mongoose } from '../../server/db/connect.js';
import { uploadSlots } from '../../server/http/upload-slots.js';
import { uploadTempDir } from '../../server/http/uploads.js';

/**
 * Files that start like a picture and are none: the signature of an allowed type, then markup or a cut-off stream.
 * A type sniffer takes each for a picture; only decoding tells them apart.
 */
export async function lookalikePictures(): Promise<{ label: string; data: Buffer }[]> {
  const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#0a0' } })
    .jpeg()
    .toBuffer();
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

/** A picture of about `kb` kilobytes that decodes (noise does not compress), for uploads worth cutting in half. */
export async function noisePng(kb: number): Promise<Buffer> {
  const side = Math.ceil(Math.sqrt((kb * 1024) / 3));
  return sharp(crypto.randomBytes(side * side * 3), { raw: { width: side, height: side, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
}

/** Resolves once exactly `n` uploads are in progress in this process (the app under test runs in it). */
export function uploadsInProgress(n: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (uploadSlots.inUse() !== n) return;
      uploadSlots.off('change', check);
      resolve();
    };
    uploadSlots.on('change', check);
    check();
  });
}

/** Files that uploads of this process have spooled and not yet removed, with their sizes. */
export function spooledFiles(): { name: string; size: number }[] {
  try {
    return fs.readdirSync(uploadTempDir()).flatMap((name) => {
      try {
        return [{ name, size: fs.statSync(path.join(uploadTempDir(), name)).size }];
      } catch {
        return []; // removed between the listing and the look
      }
    });
  } catch {
    return [];
  }
}

/** Resolves once the spooled files satisfy `ready`, woken by the file system's own events on the folder. */
export function whenSpooled(ready: (files: { name: string; size: number }[]) => boolean): Promise<void> {
  fs.mkdirSync(uploadTempDir(), { recursive: true });
  return new Promise((resolve) => {
    const watcher = fs.watch(uploadTempDir(), () => check());
    const check = () => {
      if (!ready(spooledFiles())) return;
      watcher.close();
      resolve();
    };
    check();
  });
}

/** A multipart body as a browser builds it: fields, then files (in the field `images` unless named). */
export function multipartBody(
  fields: Record<string, string>,
  files: { name: string; data: Buffer }[],
  fileField = 'images',
): { contentType: string; body: Buffer } {
  const boundary = `----storelink${crypto.randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  for (const file of files) {
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${fileField}"; filename="${file.name}"\r\nContent-Type: image/png\r\n\r\n`),
      file.data,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat(parts) };
}

export type Answer = { status: number; headers: http.IncomingHttpHeaders; body: string };

/**
 * An upload sent in parts over its own connection (chunked, no length given): the server holds it in progress
 * until it is finished or cut off, as a slow phone's upload would be.
 */
export function startUpload(url: string, headers: Record<string, string>, first: Buffer) {
  const req = http.request(url, { method: 'POST', headers });
  const answered = new Promise<Answer>((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
  });
  req.write(first);
  return {
    finish: (rest: Buffer = Buffer.alloc(0)) => {
      req.end(rest);
      return answered;
    },
    cut: () => {
      answered.catch(() => undefined);
      req.destroy();
    },
  };
}

/** The Cookie header a browser agent would send to `path` on the test server. */
export function cookieHeader(agent: Agent, urlPath: string): string {
  const jar = (agent as unknown as { jar: { getCookies(access: object): { toValueString(): string } } }).jar;
  return jar.getCookies({ domain: '127.0.0.1', path: urlPath, secure: false, script: false }).toValueString();
}

/**
 * A customer started on a new channel's chat page of the organisation: where its script uploads pictures, and the
 * headers it sends (its cookies and the page's CSRF token).
 */
export async function chatUploader(baseUrl: string, orgId: Types.ObjectId) {
  const channel = await createChannel(orgId);
  const browser = request.agent(baseUrl);
  const started = await postForm(browser, `/c/${channel.key}`, `/c/${channel.key}/start`, { name: '访客', phone: '' });
  if (started.status !== 303) throw new Error(`starting a chat answered ${started.status}`);
  const csrf = csrfTokenIn((await browser.get(`/c/${channel.key}`).expect(200)).text);
  const path = `/c/${channel.key}/images`;
  return {
    browser,
    path,
    csrf,
    headers: { 'Content-Type': 'image/png', Accept: 'application/json', 'X-CSRF-Token': csrf, Cookie: cookieHeader(browser, path) },
  };
}
