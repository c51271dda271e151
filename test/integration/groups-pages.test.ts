import { describe, expect, it, beforeAll } from '@jest/globals';
import type { Express } from 'express';
import request from 'supertest';
import { useTestDatabase } from '../setup/db.js';
import { mediaFiles, pngBytes, testIdText } from '../setup/social.js';
import { buildTestApp, csrfFor, csrfTokenIn, postForm, signIn, type Agent } from '../setup/app.js';
import { createCustomer, createOrg, createStaff, createStore, ctxFor, PASSWORD } from '../factories.js';
import { publishMoment } from '../../server/services/moments/moments.js';
import { CustomerGroup, GroupMember } from '../../server/models/customer-group.js';
import { SocialPost } from '../../server/models/social-post.js';
import type { OrgSettings } from '../../server/domain/settings.js';

useTestDatabase();

let app: Express;
beforeAll(async () => {
  ({ app } = await buildTestApp());
});

const png = pngBytes;

/** An organisation with a store, two clerks of it, a manager and an admin; the contact budget off unless asked. */
async function team(settings: Partial<OrgSettings> = {}) {
  const org = await createOrg({ contactBudgetPerDay: 0, ...settings });
  const store = await createStore(org._id, { name: '静安店' });
  const [clerk, otherClerk, manager, admin] = await Promise.all([
    createStaff(org._id, { roles: ['clerk'], storeId: store._id }),
    createStaff(org._id, { roles: ['clerk'], storeId: store._id }),
    createStaff(org._id, { roles: ['manager'], storeId: store._id }),
    createStaff(org._id, { roles: ['admin'] }),
  ]);
  return { org, store, clerk: clerk!, otherClerk: otherClerk!, manager: manager!, admin: admin! };
}

/** Creates a group through the page; answers its id. */
async function createGroupViaPage(agent: Agent, fields: Record<string, string>): Promise<string> {
  const res = await postForm(agent, '/groups', '/groups', { notice: '', cap: '', ...fields });
  expect(res.status).toBe(303);
  const match = /^\/groups\/([0-9a-f]{24})$/.exec(res.headers.location ?? '');
  expect(match).not.toBeNull();
  return match![1]!;
}

async function addViaPage(agent: Agent, groupId: string, customerIds: string[]) {
  return postForm(agent, `/groups/${groupId}`, `/groups/${groupId}/members`, { customerIds });
}

/** A group post from the page form: multipart, CSRF in the action URL as the page's form has it. */
async function postToGroup(agent: Agent, groupId: string, fields: { text: string; link?: string }, files: { data: Buffer; name: string }[] = []) {
  const page = await agent.get(`/groups/${groupId}`).expect(200);
  const action = /action="(\/groups\/[0-9a-f]{24}\/posts\?_csrf=[^"]+)"/.exec(page.text)![1]!.replace(/&amp;/g, '&');
  let req = agent
    .post(action)
    .field('text', fields.text)
    .field('link', fields.link ?? '');
  for (const file of files) req = req.attach('images', file.data, file.name);
  return req;
}

describe('the customer group pages', () => {
  it('lets a clerk create a group with a notice, shows the absolute invite link with a QR code, and lists it with members and cap', async () => {
    const { org, clerk } = await team({ groupMemberCap: 600 });
    const agent = await signIn(app, clerk.login, PASSWORD);
    const id = await createGroupViaPage(agent, { name: '水果爱好者', notice: '每周五有优惠\n欢迎分享', cap: '200' });
    const group = await CustomerGroup.findOne({ orgId: org._id, _id: id }).lean();
    expect(group).toMatchObject({ name: '水果爱好者', notice: '每周五有优惠\n欢迎分享', cap: 200, ownerId: clerk._id });

    const page = await agent.get(`/groups/${id}`).expect(200);
    expect(page.text).toContain('客户群已创建');
    // Line breaks are kept as typed, in a pre-wrap block.
    expect(page.text).toMatch(/class="[^"]*chat-text[^"]*"[^>]*>每周五有优惠\r?\n欢迎分享/);
    const inviteUrl = /id="invite-url" value="([^"]+)"/.exec(page.text)![1]!;
    expect(inviteUrl).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/g/${group!.inviteKey}$`));
    expect(page.text).toMatch(/<img class="group-qr[^"]*" src="data:image\/svg\+xml;base64,(?:[A-Za-z0-9+/]|&#x3D;)+"[^>]* alt="「水果爱好者」的入群二维码"/);
    expect(page.text).toContain('0 / 200 人');
    const svg = Buffer.from(/src="data:image\/svg\+xml;base64,([^"]+)"/.exec(page.text)![1]!.replace(/&#x3D;/g, '='), 'base64').toString('utf8');
    expect(svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);

    const list = await agent.get('/groups').expect(200);
    expect(list.text).toContain('水果爱好者');
    expect(list.text).toContain('0 / 200 人');
    expect(list.text).not.toContain('data-testid="full-badge"');
  });

  it('refuses a cap above the organisation’s on the form, keeping what was typed, and writes nothing', async () => {
    const { org, clerk } = await team({ groupMemberCap: 100 });
    const agent = await signIn(app, clerk.login, PASSWORD);
    const res = await postForm(agent, '/groups', '/groups', { name: '大群', notice: '留着', cap: '500' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('超出允许范围');
    expect(res.text).toContain('value="大群"');
    expect(res.text).toContain('留着');
    expect(await CustomerGroup.countDocuments({ orgId: org._id })).toBe(0);
  });

  it('adds members from the CRM list (searchable, within reach), reports added and already members, and stops at the cap with a clear message', async () => {
    const { org, store, clerk, otherClerk } = await team();
    const mine = await Promise.all(['王一', '王二', '王三'].map((name) => createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name })));
    await createCustomer(org._id, { ownerId: otherClerk._id, storeId: store._id, name: '王别人' });
    const agent = await signIn(app, clerk.login, PASSWORD);
    const id = await createGroupViaPage(agent, { name: '小群', cap: '2' });

    const search = await agent.get(`/groups/${id}?q=${encodeURIComponent('王')}`).expect(200);
    for (const c of mine) expect(search.text).toContain(`value="${String(c._id)}"`);
    expect(search.text).not.toContain('王别人');
    const narrowed = await agent.get(`/groups/${id}?q=${encodeURIComponent('王二')}`).expect(200);
    expect(narrowed.text).not.toContain(`value="${String(mine[0]!._id)}"`);

    const first = await addViaPage(agent, id, [String(mine[0]!._id)]);
    expect(first.status).toBe(303);
    const after = await agent.get(`/groups/${id}`).expect(200);
    expect(after.text).toContain('已添加 1 位客户，0 位原本就在群里');
    expect(after.text).toContain('1 / 2 人');

    const full = await addViaPage(agent, id, [String(mine[0]!._id), String(mine[1]!._id), String(mine[2]!._id)]);
    expect(full.status).toBe(409);
    expect(full.text).toContain('已添加 1 位客户（1 位原本就在群里），随后群已满（上限 2 人），其余客户没有添加。');
    expect(full.text).not.toContain('错误代码');
    expect(await GroupMember.countDocuments({ orgId: org._id, groupId: id })).toBe(2);
    expect((await CustomerGroup.findOne({ orgId: org._id, _id: id }).lean())?.memberCount).toBe(2);

    const nothing = await addViaPage(agent, id, [String(mine[2]!._id)]);
    expect(nothing.status).toBe(409);
    expect(nothing.text).toContain('群已满（上限 2 人），无法再加入成员。');

    const empty = await addViaPage(agent, id, []);
    expect(empty.status).toBe(400);

    // Someone else's customer is out of reach: 404, nothing added.
    const stranger = await createCustomer(org._id, { ownerId: otherClerk._id, storeId: store._id });
    const id2 = await createGroupViaPage(agent, { name: '另一个群' });
    expect((await addViaPage(agent, id2, [String(stranger._id)])).status).toBe(404);
    expect(await GroupMember.countDocuments({ orgId: org._id, groupId: id2 })).toBe(0);
  });

  it('shows a full group with a follow-on button; the follow-on is linked and the list badges the full group', async () => {
    const { org, store, clerk } = await team();
    const [a, b] = await Promise.all([
      createCustomer(org._id, { ownerId: clerk._id, storeId: store._id }),
      createCustomer(org._id, { ownerId: clerk._id, storeId: store._id }),
    ]);
    const agent = await signIn(app, clerk.login, PASSWORD);
    const id = await createGroupViaPage(agent, { name: '芒果群', cap: '2' });
    await addViaPage(agent, id, [String(a._id), String(b._id)]);
    const full = await agent.get(`/groups/${id}`).expect(200);
    expect(full.text).toContain('data-testid="full-notice"');
    expect(full.text).toContain('这个群已满（上限 2 人）');
    expect(full.text).toContain(`action="/groups/${id}/follow-on"`);
    expect((await agent.get('/groups').expect(200)).text).toContain('data-testid="full-badge"');

    const created = await postForm(agent, `/groups/${id}`, `/groups/${id}/follow-on`, {});
    expect(created.status).toBe(303);
    const next = await CustomerGroup.findOne({ orgId: org._id, name: '芒果群 2' }).lean();
    expect(next).not.toBeNull();
    expect(created.headers.location).toBe(`/groups/${String(next!._id)}`);
    const again = await agent.get(`/groups/${id}`).expect(200);
    expect(again.text).toContain(`href="/groups/${String(next!._id)}" data-testid="follow-on-link"`);
    expect(again.text).not.toContain(`action="/groups/${id}/follow-on"`);
  });

  it('removes a member and counts joins and leaves per day', async () => {
    const { org, store, clerk } = await team();
    const c = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '李四' });
    const agent = await signIn(app, clerk.login, PASSWORD);
    const id = await createGroupViaPage(agent, { name: '群' });
    await addViaPage(agent, id, [String(c._id)]);
    const page = await agent.get(`/groups/${id}`).expect(200);
    expect(page.text).toContain('>李四</a>');
    const removed = await postForm(agent, `/groups/${id}`, `/groups/${id}/members/${String(c._id)}/remove`, {});
    expect(removed.status).toBe(303);
    expect(await GroupMember.countDocuments({ orgId: org._id, groupId: id })).toBe(0);
    const after = await agent.get(`/groups/${id}`).expect(200);
    expect(after.text).toContain('已将该客户移出群');
    expect(after.text).toMatch(/<table[^>]*data-testid="day-stats"[\s\S]*<td class="text-end">1<\/td><td class="text-end">1<\/td>/);
    expect(after.text).toContain('0 / 600 人');
  });

  it('publishes a group post with a picture that staff can open (with caching headers), shows the allowance, and refuses the next one over the policy on the form', async () => {
    const { org, store, clerk } = await team({ massMessagePolicy: 'day_1' });
    const c = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id });
    const agent = await signIn(app, clerk.login, PASSWORD);
    const id = await createGroupViaPage(agent, { name: '图片群' });
    await addViaPage(agent, id, [String(c._id)]);
    expect((await agent.get(`/groups/${id}`).expect(200)).text).toContain('本周期已发 0 / 1 条');

    const posted = await postToGroup(agent, id, { text: '新品到店\n第二行', link: 'https://example.com/a?b=1&c=2' }, [{ data: await png(), name: 'a.png' }]);
    expect(posted.status).toBe(303);
    const post = await SocialPost.findOne({ orgId: org._id, groupId: id }).lean();
    expect(post).toMatchObject({
      kind: 'group',
      text: '新品到店\n第二行',
      link: 'https://example.com/a?b=1&c=2',
      stats: { audience: 1, reached: 1, heldBack: 0 },
    });
    expect(post!.imageIds).toHaveLength(1);

    const page = await agent.get(`/groups/${id}`).expect(200);
    expect(page.text).toContain('群消息已发送');
    // Line breaks are kept as typed, in a pre-wrap block.
    expect(page.text).toMatch(/class="[^"]*chat-text[^"]*"[^>]*>新品到店\r?\n第二行/);
    expect(page.text).toContain('href="https://example.com/a?b&#x3D;1&amp;c&#x3D;2" rel="noopener nofollow ugc" target="_blank"');
    expect(page.text).toContain(`src="/media/${String(post!.imageIds[0])}/thumb"`);
    expect(page.text).toContain('送达 1 人 · 未展示 0 人');
    expect(page.text).toContain('本周期已发 1 / 1 条');

    const thumb = await agent.get(`/media/${String(post!.imageIds[0])}/thumb`).expect(200);
    expect(thumb.headers['content-type']).toBe('image/webp');
    expect(thumb.headers['x-content-type-options']).toBe('nosniff');
    expect(thumb.headers['cache-control']).toBe('private, max-age=86400');
    const original = await agent.get(`/media/${String(post!.imageIds[0])}`).expect(200);
    expect(original.headers['content-type']).toBe('image/png');
    await agent
      .get(`/media/${String(post!.imageIds[0])}`)
      .set('If-None-Match', original.headers.etag!)
      .expect(304);
    // Not signed in: the login page, never the picture.
    expect((await request(app).get(`/media/${String(post!.imageIds[0])}`)).status).toBe(303);

    const refused = await postToGroup(agent, id, { text: '第二条', link: '' });
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(refused.text).toMatch(/这个群本周期的群发次数已用完，下一条可在 \d{4}-\d{2}-\d{2} 00:00 之后发送。/);
    expect(refused.text).toContain('第二条');
    expect(refused.text).not.toContain('错误代码');
    expect(await SocialPost.countDocuments({ orgId: org._id, groupId: id })).toBe(1);
  });

  it("shows a group post to every member even after the day's moments used their contact budget, says so before posting, and confirms what happened", async () => {
    const { org, store, clerk } = await team({ contactBudgetPerDay: 1 });
    const members = await Promise.all([0, 1, 2].map((i) => createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: `成员${i}` })));
    const agent = await signIn(app, clerk.login, PASSWORD);
    const id = await createGroupViaPage(agent, { name: '福利群' });
    await addViaPage(
      agent,
      id,
      members.map((m) => String(m._id)),
    );
    // A moment earlier the same day spent each member's one touch of the day.
    await publishMoment(ctxFor(clerk), { text: '今天的朋友圈' });

    const before = await agent.get(`/groups/${id}`).expect(200);
    expect(testIdText(before.text, 'reach-sentence')).toBe('将送达 3 人，未展示 0 人。');
    expect(before.text).toContain('群消息对每位成员都展示');

    expect((await postToGroup(agent, id, { text: '群内专享' })).status).toBe(303);
    const post = await SocialPost.findOne({ orgId: org._id, groupId: id }).lean();
    expect(post!.stats).toMatchObject({ audience: 3, reached: 3, heldBack: 0 });
    const after = await agent.get(`/groups/${id}`).expect(200);
    expect(after.text).toContain('群消息已发送。送达 3 人，未展示 0 人。');
    expect(after.text).toContain('送达 3 人 · 未展示 0 人');

    // The group post is the members' touch of the day now: the next moment is held back for them, and the composer says why first.
    const moments = await agent.get('/moments').expect(200);
    expect(testIdText(moments.text, 'reach-sentence')).toBe('将送达 0 人，未展示 3 人（3 人今天的联系次数已满）。');
  });

  it('says before posting that a group whose allowance is used up would reach nobody', async () => {
    const { org, store, clerk } = await team({ massMessagePolicy: 'day_1' });
    const c = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id });
    const agent = await signIn(app, clerk.login, PASSWORD);
    const id = await createGroupViaPage(agent, { name: '问答群' });
    await addViaPage(agent, id, [String(c._id)]);
    expect((await postToGroup(agent, id, { text: '今天第一条' })).status).toBe(303);
    const page = await agent.get(`/groups/${id}`).expect(200);
    expect(testIdText(page.text, 'reach-sentence')).toBe('本群本周期的群发次数已用完：现在发送会被拒绝，不会送达任何人。');
  });

  it('re-renders the composer for bad input (empty text, a javascript: link, a text file named .jpg) and writes nothing', async () => {
    const { org, clerk } = await team();
    const agent = await signIn(app, clerk.login, PASSWORD);
    const id = await createGroupViaPage(agent, { name: '检查群' });
    const before = { posts: await SocialPost.countDocuments({ orgId: org._id }), files: await mediaFiles(org._id) };

    const empty = await postToGroup(agent, id, { text: '   ', link: '' }, [{ data: await png(), name: 'a.png' }]);
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('id="f-text-error"');
    expect(empty.text).toContain('必填');

    const script = await postToGroup(agent, id, { text: '看看', link: 'javascript:alert(1)' });
    expect(script.status).toBe(400);
    expect(script.text).toContain('链接只能是 http:// 或 https:// 开头的网址');
    expect(script.text).toContain('>看看</textarea>');

    const fake = await postToGroup(agent, id, { text: '假图片', link: '' }, [{ data: Buffer.from('just some text, not a picture'), name: 'x.jpg' }]);
    expect(fake.status).toBe(400);
    expect(fake.text).toContain('只能发送 JPG、PNG、WebP 或 GIF 图片');

    expect(await SocialPost.countDocuments({ orgId: org._id })).toBe(before.posts);
    expect(await mediaFiles(org._id)).toBe(before.files);
    expect((await agent.get(`/groups/${id}`).expect(200)).text).toContain('本周期已发 0 / ');
  });

  it('escapes a notice and post text holding markup on the staff pages', async () => {
    const { org, store, clerk } = await team();
    const c = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id });
    const agent = await signIn(app, clerk.login, PASSWORD);
    const evil = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    const id = await createGroupViaPage(agent, { name: `群${evil}`.slice(0, 40), notice: evil });
    await addViaPage(agent, id, [String(c._id)]);
    expect((await postToGroup(agent, id, { text: evil })).status).toBe(303);
    for (const path of ['/groups', `/groups/${id}`]) {
      const page = await agent.get(path).expect(200);
      expect(page.text).not.toContain('<script>alert(1)');
      expect(page.text).not.toContain('<img src=x');
      expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    }
  });

  it('keeps groups within reach: another clerk’s group and another organisation’s answer 404; a marketer reads but cannot change', async () => {
    const a = await team();
    const b = await team();
    const owner = await signIn(app, a.clerk.login, PASSWORD);
    const id = await createGroupViaPage(owner, { name: '私人群' });

    const colleague = await signIn(app, a.otherClerk.login, PASSWORD);
    expect((await colleague.get(`/groups/${id}`)).status).toBe(404);
    expect((await colleague.get('/groups').expect(200)).text).not.toContain('私人群');
    const token = await csrfFor(colleague, '/groups');
    expect((await colleague.post(`/groups/${id}`).type('form').send({ _csrf: token, name: '改名' })).status).toBe(404);
    expect((await colleague.post(`/groups/${id}/archive`).type('form').send({ _csrf: token })).status).toBe(404);

    const manager = await signIn(app, a.manager.login, PASSWORD);
    expect((await manager.get(`/groups/${id}`).expect(200)).text).toContain('私人群');

    const foreign = await signIn(app, b.admin.login, PASSWORD);
    const res = await foreign.get(`/groups/${id}`);
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('私人群');
    expect((await foreign.get('/groups/not-an-id')).status).toBe(404);

    const marketer = await createStaff(a.org._id, { roles: ['marketer'] });
    const reader = await signIn(app, marketer.login, PASSWORD);
    const seen = await reader.get(`/groups/${id}`).expect(200);
    expect(seen.text).toContain('私人群');
    expect(seen.text).not.toContain('data-testid="post-form"');
    expect(seen.text).not.toContain(`action="/groups/${id}/archive"`);
    expect(
      (
        await reader
          .post('/groups')
          .type('form')
          .send({ _csrf: csrfTokenIn(seen.text), name: 'x' })
      ).status,
    ).toBe(403);
    expect((await CustomerGroup.findOne({ orgId: a.org._id, _id: id }).lean())?.name).toBe('私人群');
  });

  it('lets an admin choose the store, edit the notice and archive the group', async () => {
    const { org, store, admin } = await team();
    const agent = await signIn(app, admin.login, PASSWORD);
    expect((await agent.get('/groups').expect(200)).text).toContain('id="f-storeId"');
    const id = await createGroupViaPage(agent, { name: '总部群', storeId: String(store._id) });
    expect(String((await CustomerGroup.findOne({ orgId: org._id, _id: id }).lean())?.storeId)).toBe(String(store._id));
    expect((await agent.get('/groups').expect(200)).text).toContain('静安店');

    const edited = await postForm(agent, `/groups/${id}`, `/groups/${id}`, { name: '总部群', notice: '新公告', cap: '' });
    expect(edited.status).toBe(303);
    expect((await agent.get(`/groups/${id}`).expect(200)).text).toContain('新公告');

    const archived = await postForm(agent, `/groups/${id}`, `/groups/${id}/archive`, {});
    expect(archived.status).toBe(303);
    expect(archived.headers.location).toBe('/groups');
    expect((await agent.get('/groups').expect(200)).text).not.toContain('总部群');
    expect((await CustomerGroup.findOne({ orgId: org._id, _id: id }).lean())?.status).toBe('archived');
  });

  it('answers 404 for another organisation’s picture', async () => {
    const a = await team();
    const b = await team();
    const c = await createCustomer(a.org._id, { ownerId: a.clerk._id, storeId: a.store._id });
    const agent = await signIn(app, a.clerk.login, PASSWORD);
    const id = await createGroupViaPage(agent, { name: '群' });
    await addViaPage(agent, id, [String(c._id)]);
    await postToGroup(agent, id, { text: '图' }, [{ data: await png(), name: 'a.png' }]);
    const imageId = String((await SocialPost.findOne({ orgId: a.org._id }).lean())!.imageIds[0]);
    const foreign = await signIn(app, b.admin.login, PASSWORD);
    expect((await foreign.get(`/media/${imageId}`)).status).toBe(404);
    expect((await foreign.get(`/media/${imageId}/thumb`)).status).toBe(404);
    expect((await foreign.get('/media/nonsense')).status).toBe(404);
  });
});
