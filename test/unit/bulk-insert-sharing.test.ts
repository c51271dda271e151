import { describe, expect, it } from '@jest/globals';
import { completeDocument, completeDocumentsSharing } from '../../server/db/bulk-insert.js';
import { mongoose } from '../../server/db/connect.js';
import { Delivery, deliveryKey } from '../../server/models/social-post.js';

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
});
