import { ChatVisitor } from '../../models/chat-channel.js';
import { ChatMessage, ChatSession } from '../../models/chat-session.js';
import { deleteChatImages, deleteVisitorImages } from './images.js';
import { domainEvents } from '../events.js';
import type { mongoose } from '../../db/connect.js';

/**
 * Erasure reaches the customer's conversations too: their devices forget them (tokens end), names and numbers go,
 * message texts and pictures are removed; sessions stay as anonymous records for the service figures.
 */
export async function eraseConversationsOf(orgId: mongoose.Types.ObjectId, customerId: mongoose.Types.ObjectId): Promise<void> {
  const visitors = await ChatVisitor.find({ orgId, customerId }, { _id: 1 }).lean();
  const visitorIds = visitors.map((v) => v._id);
  const sessions = await ChatSession.find({ orgId, $or: [{ customerId }, { visitorId: { $in: visitorIds } }] }, { _id: 1 }).lean();
  const sessionIds = sessions.map((s) => s._id);
  const pictures = await ChatMessage.find({ orgId, sessionId: { $in: sessionIds }, image: { $ne: null } }, { image: 1 }).lean();
  await deleteChatImages(pictures.flatMap((m) => (m.image ? [m.image.fileId] : [])));
  await ChatMessage.updateMany({ orgId, sessionId: { $in: sessionIds } }, { $set: { text: '', image: null } });
  await ChatSession.updateMany({ orgId, _id: { $in: sessionIds } }, { $set: { visitorName: '—', lastMessagePreview: '' } });
  await ChatSession.updateMany({ orgId, _id: { $in: sessionIds }, rating: { $ne: null } }, { $set: { 'rating.comment': '' } });
  await deleteVisitorImages(orgId, visitorIds);
  await ChatVisitor.updateMany({ orgId, _id: { $in: visitorIds } }, { $set: { name: '—', phone: '', customerId: null }, $inc: { tokenVersion: 1 } });
  // Open chat pages of the erased customer are cut off now, not at their next reconnect.
  domainEvents.emitEvent('chat.visitors_forgotten', { orgId: String(orgId), visitorIds: visitorIds.map(String) });
}
