import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { useTestDatabase } from '../setup/db.js';
import { startTestServer } from '../setup/server.js';
import { bearerFor, csrfFor, signIn } from '../setup/app.js';
import { pngBytes, postMultipart } from '../setup/social.js';
import {
  chatUploader,
  cookieHeader,
  lookalikePictures,
  multipartBody,
  noisePng,
  spooledFiles,
  startUpload,
  storedPictures,
  uploadsInProgress,
  whenSpooled,
} from '../setup/uploads.js';
import { createOrgWithTeam, createStaff, ctxFor, PASSWORD } from '../factories.js';
import { mongoose } from '../../server/db/connect.js';
import { SocialPost } from '../../server/models/social-post.js';
import { momentQuota } from '../../server/services/moments/moments.js';
import { socialLimits, uploadLimits } from '../../server/domain/settings.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
useTestDatabase({ beforeClose: async () => server?.close() });
beforeAll(async () => {
  server = await startTestServer();
});

/** Uploads a test opened, cut off after it whatever it left half-way (a failed assertion included). */
const opened: ReturnType<typeof startUpload>[] = [];
const upload = (...args: Parameters<typeof startUpload>) => {
  const started = startUpload(...args);
  opened.push(started);
  return started;
};

// Every test ends with nothing in progress and nothing spooled.
afterEach(async () => {
  for (const started of opened.splice(0)) started.cut();
  await uploadsInProgress(0);
  expect(spooledFiles()).toEqual([]);
});

const url = (path: string) => `${server.baseUrl}${path}`;

type Team = Awaited<ReturnType<typeof createOrgWithTeam>>;

/** A new clerk of the team with an API token. */
async function apiClerk(team: Team) {
  const clerk = await createStaff(team.org._id, { roles: ['clerk'], storeId: team.store._id });
  return { clerk, auth: await bearerFor(server.baseUrl, clerk.login, PASSWORD) };
}

/** A new clerk of the team with an API token and a signed-in browser. */
async function clerkOf(team: Team) {
  const { clerk, auth } = await apiClerk(team);
  return { clerk, auth, pages: await signIn(server.baseUrl, clerk.login, PASSWORD) };
}

/** A customer on a chat page of a new organisation. */
const chatCustomer = async () => chatUploader(server.baseUrl, (await createOrgWithTeam()).org._id);

const uploadLimitHits = async () => {
  const docs = await mongoose.connection
    .db!.collection('chat_public_limits')
    .find({ key: /^upload/ })
    .toArray();
  return docs.reduce((sum, doc) => sum + Number(doc.points ?? 0), 0);
};

describe('upload caps', () => {
  it('refuses a staff member’s uploads beyond her cap with 429 too_many_uploads (API and page form), writing nothing, while colleagues still upload', async () => {
    const team = await createOrgWithTeam();
    const { clerk, auth, pages } = await clerkOf(team);
    const png = await pngBytes();
    const half = Math.floor(png.length / 2);
    const held = Array.from({ length: uploadLimits.concurrentPerStaff }, () =>
      upload(url('/api/v1/media'), { ...auth, 'Content-Type': 'image/png' }, png.subarray(0, half)),
    );
    await uploadsInProgress(uploadLimits.concurrentPerStaff);
    const before = await storedPictures();

    const api = await request(server.baseUrl).post('/api/v1/media').set(auth).set('Content-Type', 'image/png').send(png);
    expect(api.status).toBe(429);
    expect(api.headers['retry-after']).toBe(String(uploadLimits.retryAfterSeconds));
    expect(api.body.error).toMatchObject({
      code: 'too_many_uploads',
      details: { max: uploadLimits.concurrentPerStaff, retryAfterSeconds: uploadLimits.retryAfterSeconds },
    });

    const form = await postMultipart(pages, '/moments', '/moments', { text: '限流时的动态', audienceMode: 'all' }, [{ data: png, name: 'a.png' }]);
    expect(form.status).toBe(429);
    expect(form.text).toContain(`你同时进行的上传已达 ${uploadLimits.concurrentPerStaff} 个`);
    expect(form.text).toContain('>限流时的动态</textarea>');
    expect(await storedPictures()).toEqual(before);
    expect(await SocialPost.countDocuments({ orgId: team.org._id })).toBe(0);
    expect((await momentQuota(ctxFor(clerk))).used).toBe(0);

    // The cap is hers, not everyone's.
    const colleague = await apiClerk(team);
    await request(server.baseUrl).post('/api/v1/media').set(colleague.auth).set('Content-Type', 'image/png').send(png).expect(201);
    // Uploads in progress finish normally; then she may upload again.
    for (const answer of await Promise.all(held.map((h) => h.finish(png.subarray(half))))) expect(answer.status).toBe(201);
    await request(server.baseUrl).post('/api/v1/media').set(auth).set('Content-Type', 'image/png').send(png).expect(201);
  }, 60_000);

  it('refuses chat uploads beyond the cap of one address with 429, spending none of the hour’s allowance', async () => {
    const customer = await chatCustomer();
    const png = await pngBytes();
    const held = Array.from({ length: uploadLimits.concurrentPerAddress }, () => upload(url(customer.path), customer.headers, png.subarray(0, 10)));
    // A held upload is counted against the hour before its first byte is spooled.
    await whenSpooled((files) => files.length === uploadLimits.concurrentPerAddress);
    const [hits, before] = [await uploadLimitHits(), await storedPictures()];
    expect(hits).toBeGreaterThanOrEqual(uploadLimits.concurrentPerAddress); // the uploads in progress were counted

    const refused = await upload(url(customer.path), customer.headers, png).finish();
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body).error).toMatchObject({ code: 'too_many_uploads', details: { max: uploadLimits.concurrentPerAddress } });
    expect(await uploadLimitHits()).toBe(hits);
    expect(await storedPictures()).toEqual(before);
    for (const h of held) h.cut();
  });

  it('refuses any upload once the process holds its total, with 429 uploads_busy, whoever sends it', async () => {
    const team = await createOrgWithTeam();
    const png = await pngBytes();
    const held: ReturnType<typeof startUpload>[] = [];
    while (held.length < uploadLimits.concurrentTotal) {
      const { auth } = await apiClerk(team);
      for (let i = 0; i < uploadLimits.concurrentPerStaff && held.length < uploadLimits.concurrentTotal; i += 1) {
        held.push(upload(url('/api/v1/media'), { ...auth, 'Content-Type': 'image/png' }, png.subarray(0, 10)));
      }
    }
    await uploadsInProgress(uploadLimits.concurrentTotal);
    const before = await storedPictures();

    const fresh = await clerkOf(team);
    const api = await request(server.baseUrl).post('/api/v1/media').set(fresh.auth).set('Content-Type', 'image/png').send(png);
    expect(api.status).toBe(429);
    expect(api.body.error.code).toBe('uploads_busy');
    const form = await postMultipart(fresh.pages, '/moments', '/moments', { text: '忙时的动态', audienceMode: 'all' }, [{ data: png, name: 'a.png' }]);
    expect(form.status).toBe(429);
    expect(form.text).toContain('服务器正在接收很多上传');
    const customer = await chatCustomer();
    const chat = await upload(url(customer.path), customer.headers, png).finish();
    expect(JSON.parse(chat.body).error.code).toBe('uploads_busy');
    expect(await storedPictures()).toEqual(before);
    for (const h of held) h.cut();
  }, 60_000);
});

describe('what a refused, failed or cut-off upload leaves behind', () => {
  it('leaves nothing when the client goes away mid-upload, a picture alone or a form with pictures', async () => {
    const team = await createOrgWithTeam();
    const { clerk, auth, pages } = await clerkOf(team);
    const big = await noisePng(256);
    const before = await storedPictures();

    const alone = upload(url('/api/v1/media'), { ...auth, 'Content-Type': 'image/png' }, big.subarray(0, big.length / 2));
    await whenSpooled((files) => files.some((f) => f.size > 0));
    alone.cut();
    await uploadsInProgress(0);
    expect(spooledFiles()).toEqual([]);

    // A form cut off in its second picture, the first one already received whole.
    const form = multipartBody({ text: '断线的动态', audienceMode: 'all' }, [
      { name: 'a.png', data: big },
      { name: 'b.png', data: big },
    ]);
    const cutAt = form.body.length - Math.floor(big.length / 2);
    const token = await csrfFor(pages, '/moments');
    const posting = upload(
      url(`/moments?_csrf=${encodeURIComponent(token)}`),
      { 'Content-Type': form.contentType, Cookie: cookieHeader(pages, '/moments') },
      form.body.subarray(0, cutAt),
    );
    await whenSpooled((files) => files.length === 2 && files.some((f) => f.size === big.length) && files.some((f) => f.size > 0 && f.size < big.length));
    posting.cut();
    await uploadsInProgress(0);

    expect(spooledFiles()).toEqual([]);
    expect(await storedPictures()).toEqual(before);
    expect(await SocialPost.countDocuments({ orgId: team.org._id })).toBe(0);
    expect((await momentQuota(ctxFor(clerk))).used).toBe(0);
  });

  it('leaves no temporary file when a CSV import is cut off mid-upload, on the page form or the API', async () => {
    const team = await createOrgWithTeam();
    const admin = await signIn(server.baseUrl, team.admin.login, PASSWORD);
    const auth = await bearerFor(server.baseUrl, team.admin.login, PASSWORD);
    const rows = Buffer.from(`name,phone\n${Array.from({ length: 20_000 }, (_, i) => `客户${i},139${String(i).padStart(8, '0')}`).join('\n')}\n`);
    const form = multipartBody({ policy: 'skip' }, [{ name: 'customers.csv', data: rows }], 'file');
    const token = await csrfFor(admin, '/customers/import');
    const page = upload(
      url(`/customers/import?_csrf=${encodeURIComponent(token)}`),
      { 'Content-Type': form.contentType, Cookie: cookieHeader(admin, '/customers/import') },
      form.body.subarray(0, form.body.length / 2),
    );
    await whenSpooled((files) => files.some((f) => f.size > 0));
    page.cut();
    await whenSpooled((files) => files.length === 0);

    const api = upload(url('/api/v1/customers/imports'), { ...auth, 'Content-Type': 'text/csv' }, rows.subarray(0, rows.length / 2));
    await whenSpooled((files) => files.some((f) => f.size > 0));
    api.cut();
    await whenSpooled((files) => files.length === 0);
  });

  it('leaves nothing when a picture does not decode or is too large, on the API and on a form', async () => {
    const team = await createOrgWithTeam();
    const { clerk, auth, pages } = await clerkOf(team);
    const good = await pngBytes();
    const [lookalike] = await lookalikePictures();
    const tooLarge = Buffer.concat([good, Buffer.alloc(socialLimits.imageMaxBytes + 1 - good.length)]);
    const before = await storedPictures();

    const fake = await request(server.baseUrl).post('/api/v1/media').set(auth).set('Content-Type', 'image/gif').send(lookalike!.data);
    expect(fake.status).toBe(400);
    // Sent without a length, so it is counted as it arrives and refused past the limit, with the answer still delivered.
    const large = await upload(url('/api/v1/media'), { ...auth, 'Content-Type': 'image/png', Accept: 'application/json' }, tooLarge).finish();
    expect(large.status).toBe(413);
    expect(JSON.parse(large.body).error).toMatchObject({ code: 'payload_too_large', details: { limitBytes: socialLimits.imageMaxBytes } });

    const formFake = await postMultipart(pages, '/moments', '/moments', { text: '坏图', audienceMode: 'all' }, [
      { data: good, name: 'a.png' },
      { data: lookalike!.data, name: 'b.png' },
    ]);
    expect(formFake.status).toBe(400);
    const formLarge = await postMultipart(pages, '/moments', '/moments', { text: '大图', audienceMode: 'all' }, [
      { data: good, name: 'a.png' },
      { data: tooLarge, name: 'b.png' },
    ]);
    expect(formLarge.status).toBe(413);
    expect(formLarge.text).toContain('>大图</textarea>');

    await uploadsInProgress(0);
    expect(spooledFiles()).toEqual([]);
    expect(await storedPictures()).toEqual(before);
    expect(await SocialPost.countDocuments({ orgId: team.org._id })).toBe(0);
    expect((await momentQuota(ctxFor(clerk))).used).toBe(0);
  });
});
