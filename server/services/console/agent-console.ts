import type { ServiceContext } from '../context.js';
import { getOrgSettings } from '../org/settings.js';
import { listCannedReplies } from '../chat/channels.js';
import { chatSkillsOf, listChatAgents } from '../chat/agent-chat.js';
import { listTagGroups } from '../tags/tags.js';
import { listStoreChoices } from '../org/stores.js';

/** The agent console's one page load: settings, canned replies, colleagues, tags (skills) and stores, read side by side. */
export async function agentConsoleBoot(ctx: ServiceContext) {
  const [settings, canned, colleagues, tags, skills, stores] = await Promise.all([
    getOrgSettings(ctx),
    listCannedReplies(ctx),
    listChatAgents(ctx),
    listTagGroups(ctx),
    chatSkillsOf(ctx),
    listStoreChoices(ctx),
  ]);
  return { settings, canned, colleagues, tags, skills, stores };
}
