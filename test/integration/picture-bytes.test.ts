import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { useTestDatabase } from '../setup/db.js';
import { startTestServer } from '../setup/server.js';
import { bearerFor, postForm, signIn, type Agent } from '../setup/app.js';
import { pngBytes, postMultipart } from '../setup/social.js';
import { chatUploader, lookalikePictures, storedPictures } from '../setup/uploads.js';
import { createOrgWithTeam, createStaff, ctxFor, PASSWORD } from '../factories.js';
import { SocialPost } from '../../server/models/social-post.js';
import { Campaign } from '../../server/models/campaign.js';
import { momentQuota } from '../../server/services/moments/moments.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
useTestDatabase({ beforeClose: async () => server?.close() });
beforeAll(async () => {
  server = await startTestServer();
});

const TYPE_MESSAGE = '只能发送 JPG、PNG、WebP 或 GIF 图片。';

type Files = { data: Buffer; name: string }[];
type FormContext = { groupPath: string; storeId: string };

describe('picture bytes', () => {
  // Found from outside: the chat page stored `GIF89a<script>…` because only its first bytes were looked at.
  it('refuses on the customer chat page a file that only starts like a picture, storing nothing, as the docs promise (400 image_type)', async () => {
    const { org } = await createOrgWithTeam();
    const { browser, path, csrf } = await chatUploader(server.baseUrl, org._id);
    const upload = (body: Buffer, type: string) =>
      browser.post(path).set('Content-Type', type).set('Accept', 'application/json').set('X-CSRF-Token', csrf).send(body);

    const before = await storedPictures();
    for (const { label, data } of await lookalikePictures()) {
      const refused = await upload(data, label.startsWith('GIF') ? 'image/gif' : 'image/png');
      expect({ label, status: refused.status, fields: refused.body.error?.details?.fields }).toEqual({ label, status: 400, fields: { image: ['image_type'] } });
    }
    expect(await storedPictures()).toEqual(before);
    // A real picture still goes through.
    await upload(await pngBytes(), 'image/png').expect(201);
  });

  // The staff paths decoded pictures already; they stay covered so no path can drift from the one check.
  it('refuses such files uploaded through the API (400 image_type), storing nothing', async () => {
    const { org, store } = await createOrgWithTeam();
    const clerk = await createStaff(org._id, { roles: ['clerk'], storeId: store._id });
    const auth = await bearerFor(server.baseUrl, clerk.login, PASSWORD);
    const before = await storedPictures();
    for (const { label, data } of await lookalikePictures()) {
      const api = await request(server.baseUrl).post('/api/v1/media').set(auth).set('Content-Type', 'image/png').send(data);
      expect({ label, status: api.status, fields: api.body.error?.details?.fields }).toEqual({ label, status: 400, fields: { images: ['image_type'] } });
    }
    expect(await storedPictures()).toEqual(before);
  });

  const formPaths = [
    {
      path: 'a moment',
      role: 'clerk',
      post: (agent: Agent, _ctx: FormContext, text: string, files: Files) => postMultipart(agent, '/moments', '/moments', { text, audienceMode: 'all' }, files),
    },
    {
      path: 'a group post',
      role: 'clerk',
      post: (agent: Agent, ctx: FormContext, text: string, files: Files) =>
        postMultipart(agent, ctx.groupPath, `${ctx.groupPath}/posts`, { text, link: '' }, files),
    },
    {
      path: 'a campaign',
      role: 'marketer',
      post: (agent: Agent, ctx: FormContext, text: string, files: Files) =>
        postMultipart(
          agent,
          '/campaigns/new',
          '/campaigns',
          { title: '新品', kind: 'moment', text, link: '', storeIds: [ctx.storeId], publishAt: '2030-01-01T12:00' },
          files,
        ),
    },
  ] as const;

  it.each(formPaths)(
    'refuses such files beside a good picture in $path form: shown again with what was typed, nothing stored, no quota spent',
    async ({ path, role, post }) => {
      const { org, store, marketer } = await createOrgWithTeam();
      const clerk = await createStaff(org._id, { roles: ['clerk'], storeId: store._id });
      const agent = await signIn(server.baseUrl, (role === 'clerk' ? clerk : marketer).login, PASSWORD);
      const group = path === 'a group post' ? await postForm(agent, '/groups', '/groups', { name: '果友群', notice: '', cap: '' }) : null;
      const ctx = { groupPath: String(group?.headers.location), storeId: String(store._id) };
      const good = { data: await pngBytes(), name: 'good.png' };
      const before = await storedPictures();
      for (const [i, { label, data }] of (await lookalikePictures()).entries()) {
        const res = await post(agent, ctx, `第 ${i} 条`, [good, { data, name: 'photo.png' }]);
        expect({ label, status: res.status, message: res.text.includes(TYPE_MESSAGE), kept: res.text.includes(`第 ${i} 条`) }).toEqual({
          label,
          status: 400,
          message: true,
          kept: true,
        });
      }
      expect(await storedPictures()).toEqual(before);
      expect(await SocialPost.countDocuments({ orgId: org._id })).toBe(0);
      expect(await Campaign.countDocuments({ orgId: org._id })).toBe(0);
      if (role === 'clerk') expect((await momentQuota(ctxFor(clerk))).used).toBe(0);
    },
  );
});
