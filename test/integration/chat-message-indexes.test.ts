import { describe, expect, it } from '@jest/globals';
import { useTestDatabase } from '../setup/db.js';
import { ChatMessage } from '../../server/models/chat-session.js';
import { migrations } from '../../server/services/maintenance/migrations.js';
import { buildIndexes } from '../../server/db/indexes.js';

useTestDatabase();

const MIGRATION = '2026-12-chat-messages-without-visitor-index';
const keysOf = async () => (await ChatMessage.collection.indexes()).map((index) => JSON.stringify(index.key));

describe('chat message indexes', () => {
  it('a database from before loses the visitor index (twice at once, then again: harmless) and keeps the declared ones', async () => {
    await ChatMessage.collection.createIndex({ orgId: 1, visitorId: 1, createdAt: -1 });
    await buildIndexes(() => ChatMessage.createIndexes());
    expect(await keysOf()).toContain(JSON.stringify({ orgId: 1, visitorId: 1, createdAt: -1 }));

    const migration = migrations.find((m) => m.name === MIGRATION)!;
    const [first, second] = await Promise.all([migration.run(), migration.run()]);
    expect(first.ChatMessage! + second.ChatMessage!).toBe(1);
    expect(await migration.run()).toEqual({ ChatMessage: 0 });

    const keys = await keysOf();
    expect(keys).not.toContain(JSON.stringify({ orgId: 1, visitorId: 1, createdAt: -1 }));
    expect(keys).toEqual(
      expect.arrayContaining([
        JSON.stringify({ orgId: 1, dedupeKey: 1 }),
        JSON.stringify({ orgId: 1, sessionId: 1, seq: 1 }),
        JSON.stringify({ orgId: 1, 'image.fileId': 1 }),
      ]),
    );
  });
});
