import { beforeAll, describe, expect, it } from '@jest/globals';
import { useTestDatabase } from '../setup/db.js';
import { startTestServer } from '../setup/server.js';
import { connectAgent } from '../setup/chat.js';
import { createCustomer, createOrgWithTeam, ctxFor } from '../factories.js';
import { publishMoment } from '../../server/services/moments/moments.js';
import { addComment, setLike } from '../../server/services/members/feed.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
useTestDatabase({ beforeClose: async () => server?.close() });
beforeAll(async () => {
  server = await startTestServer();
});

type Reaction = { postId: string; kind: string; unseen: number };

describe('the push when a customer reacts to a moment', () => {
  it('tells the author’s open pages of each comment and first like, after the write, and nobody else', async () => {
    const { org, store, clerk, manager } = await createOrgWithTeam();
    const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id });
    const post = await publishMoment(ctxFor(clerk), { text: '新品', link: null, images: [] });
    const postId = String(post._id);
    const member = { orgId: String(org._id), customerId: String(customer._id) };

    const author = await connectAgent(server.baseUrl, clerk.login);
    const other = await connectAgent(server.baseUrl, manager.login);
    const heard: Reaction[] = [];
    const othersHeard: Reaction[] = [];
    other.socket.on('moments:reaction', (push: Reaction) => othersHeard.push(push));
    try {
      const next = () => new Promise<Reaction>((resolve) => author.socket.once('moments:reaction', (push: Reaction) => resolve(push)));
      author.socket.on('moments:reaction', (push: Reaction) => heard.push(push));

      let arriving = next();
      await addComment(member, postId, '真好看');
      expect(await arriving).toEqual({ postId, kind: 'comment', unseen: 1 });

      arriving = next();
      await setLike(member, postId, true);
      expect(await arriving).toEqual({ postId, kind: 'like', unseen: 2 });

      // Unliking and liking again is not news: the next push is the next comment.
      await setLike(member, postId, false);
      await setLike(member, postId, true);
      arriving = next();
      await addComment(member, postId, '周末去');
      expect(await arriving).toEqual({ postId, kind: 'comment', unseen: 3 });
      expect(heard.map((push) => push.kind)).toEqual(['comment', 'like', 'comment']);
      expect(othersHeard).toEqual([]);
    } finally {
      author.socket.disconnect();
      other.socket.disconnect();
    }
  });
});
