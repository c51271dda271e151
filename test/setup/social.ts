import type { Types } from 'mongoose';
import sharp from 'sharp';
import { mongoose } from '../../server/db/connect.js';
import { csrfFor, csrfTokenIn, type Agent } from './app.js';

/** A real picture (4 x 4 red PNG): the server sniffs bytes and makes thumbnails, so tests send real images. */
export const pngBytes = () =>
  sharp({ create: { width: 4, height: 4, channels: 3, background: '#f00' } })
    .png()
    .toBuffer();

/** Files in the pictures bucket of an organisation (each picture is stored with its thumbnail). */
export const mediaFiles = (orgId: Types.ObjectId) => mongoose.connection.db!.collection('media.files').countDocuments({ 'metadata.orgId': orgId });

/** The text of the element carrying `data-testid`. */
export function testIdText(html: string, testId: string): string {
  const match = new RegExp(`data-testid="${testId}"[^>]*>([^<]*)<`).exec(html);
  if (!match) throw new Error(`no ${testId} in the page`);
  return match[1]!.trim();
}

export type FormFields = Record<string, string | string[]>;

/** A form with pictures as a browser sends it: multipart, CSRF in the action URL (from the page), fields, then files. */
export async function postMultipart(agent: Agent, pagePath: string, action: string, fields: FormFields, files: { data: Buffer; name: string }[] = []) {
  const token = await csrfFor(agent, pagePath);
  const req = agent.post(`${action}?_csrf=${encodeURIComponent(token)}`);
  for (const [name, value] of Object.entries(fields)) for (const v of Array.isArray(value) ? value : [value]) void req.field(name, v);
  for (const file of files) void req.attach('images', file.data, { filename: file.name, contentType: 'image/png' });
  return req;
}

/** An attribute's value as the browser reads it (Handlebars escapes `=` and `&`). */
const attributeValue = (escaped: string) => escaped.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');

/** The personal link on the page the clerk gets when she issues one. */
export const linkIn = (html: string) => new URL(attributeValue(/id="member-link"[^>]*value="([^"]+)"/.exec(html)![1]!));

/** A customer's phone opens a personal link: the page it shows, then its button; a link that lets nobody in answers at once. */
export async function openLink(browser: Agent, url: URL) {
  const offer = await browser.get(`${url.pathname}${url.search}`);
  if (offer.status !== 200) return offer;
  const token = attributeValue(/name="token" value="([^"]+)"/.exec(offer.text)![1]!);
  return browser
    .post(url.pathname)
    .type('form')
    .send({ token, _csrf: csrfTokenIn(offer.text) });
}
