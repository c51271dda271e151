import { describe, expect, it } from '@jest/globals';
import { completeDocument, completeDocumentsSharing } from '../../server/db/bulk-insert.js';
import { mongoose } from '../../server/db/connect.js';
import { Delivery, deliveryKey } from '../../server/models/social-post.js';
import { ChatMessage } from '../../server/models/chat-session.js';

const orgId = new mongoose.Types.ObjectId();
const postId = new mongoose.Types.ObjectId();
const at = new Date('2026-12-07T10:00:00Z');
const shared = { orgId, postId, kind: 'moment', groupId: null, liked: false, at };
const own = (customerId = new mongoose.Types.ObjectId(), fields: Record<string, unknown> = {}) => ({
  customerId,
  scopedKey: deliveryKey(orgId, postId, customerId),
  shown: true,
  heldReason: null,
  ...fields,
});
const withoutId = ({ _id, ...rest }: Record<string, unknown>) => (expect(_id).toBeInstanceOf(mongoose.Types.ObjectId), rest);

describe('completing documents that share their fields (deliveries of one post)', () => {
  it('completes each as completeDocument does, each with an id of its own', async () => {
    const docs = [own(), own(undefined, { shown: false, heldReason: 'customer_cap' }), own(String(new mongoose.Types.ObjectId()) as never)];
    const completed = await completeDocumentsSharing(Delivery, shared, docs);
    const ids = new Set<string>();
    for (const [i, outcome] of completed.entries()) {
      if (!('doc' in outcome)) throw new Error(`refused: ${outcome.refused.message}`);
      ids.add(String(outcome.doc._id));
      expect(withoutId(outcome.doc)).toEqual(withoutId(await completeDocument(Delivery, { ...shared, ...docs[i] })));
    }
    expect(ids.size).toBe(3);
    // A customer's id given as text is stored as an id, as a create stores it.
    expect((completed[2] as { doc: Record<string, unknown> }).doc.customerId).toBeInstanceOf(mongoose.Types.ObjectId);
  });

  it('refuses an invalid delivery, and only that one, saying which fields', async () => {
    const docs = [
      own(),
      own(undefined, { heldReason: 'no_such_reason' }),
      own('not-an-id' as never),
      own(undefined, { scopedKey: null }),
      { customerId: new mongoose.Types.ObjectId(), shown: true, heldReason: null },
    ];
    const completed = await completeDocumentsSharing(Delivery, shared, docs);
    expect(completed.map((outcome) => ('refused' in outcome ? outcome.refused.invalidPaths : 'ok'))).toEqual([
      'ok',
      ['heldReason'],
      ['customerId'],
      ['scopedKey'],
      ['scopedKey'],
    ]);
  });

  it('refuses every delivery when what they share is invalid', async () => {
    const completed = await completeDocumentsSharing(Delivery, { ...shared, kind: 'no_such_kind' }, [own(), own()]);
    expect(completed.map((outcome) => ('refused' in outcome ? outcome.refused.invalidPaths : 'ok'))).toEqual([['kind'], ['kind']]);
  });

  it('completes documents that share nothing through one template, each with its own id kept, and one with a subdocument on its own', async () => {
    const message = (seq: number, fields: Record<string, unknown> = {}) => ({
      _id: new mongoose.Types.ObjectId(),
      orgId,
      sessionId: postId,
      visitorId: postId,
      seq,
      visibleSeq: seq,
      clientId: `c${seq}`,
      dedupeKey: `customer:v:c${seq}`,
      sender: 'customer',
      agentId: null,
      text: 'hello',
      internal: false,
      createdAt: at,
      ...fields,
    });
    const picture = { fileId: new mongoose.Types.ObjectId(), mime: 'image/png', size: 10 };
    const docs = [message(1), message(2, { image: picture }), message(3, { sender: 'robot' }), message(4)];
    const completed = await completeDocumentsSharing(ChatMessage, {}, docs);
    expect(completed.map((outcome) => ('refused' in outcome ? outcome.refused.invalidPaths : 'ok'))).toEqual(['ok', 'ok', ['sender'], 'ok']);
    for (const i of [0, 1, 3]) {
      const { doc } = completed[i] as { doc: Record<string, unknown> };
      // The caller's id and time are kept: the writer reports the message by them before reading anything back.
      expect(String(doc._id)).toBe(String(docs[i]!._id));
      expect(doc).toEqual(await completeDocument(ChatMessage, docs[i]!));
    }
    expect((completed[0] as { doc: Record<string, unknown> }).doc.image).toBeNull();
  });
});
