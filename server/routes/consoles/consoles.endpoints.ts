import { endpoint } from '../../http/endpoint.js';
import { adminConsoleSummary, customerConsoleSummary, managerConsoleSummary, marketerConsoleSummary } from '../../services/console/summaries.js';
import { getOrgSettings } from '../../services/org/settings.js';
import { listCannedReplies } from '../../services/chat/channels.js';
import { listChatAgents, chatSkillsOf } from '../../services/chat/agent-chat.js';
import { listTagGroups } from '../../services/tags/tags.js';
import { listStoreChoices } from '../../services/org/stores.js';

/** Each role's console: what it shows, read once per page. */

/** `/` sends each person on to her own console. */
export const home = endpoint({ access: 'signedIn', run: (ctx) => ctx.actor });

export const clerkConsole = endpoint({ access: { permission: 'console.clerk' }, run: (ctx) => customerConsoleSummary(ctx) });

/** Agents and managers work here all day; clerks open it for their own customers' conversations. */
export const agentConsole = endpoint({
  access: { permission: 'chat.serve' },
  // The console's one page load: settings, canned replies, colleagues, tags (skills) and stores, side by side.
  run: async (ctx) => {
    const [settings, canned, colleagues, tags, skills, stores] = await Promise.all([
      getOrgSettings(ctx),
      listCannedReplies(ctx),
      listChatAgents(ctx),
      listTagGroups(ctx),
      chatSkillsOf(ctx),
      listStoreChoices(ctx),
    ]);
    return { settings, canned, colleagues, tags, skills, stores };
  },
});

export const managerConsole = endpoint({ access: { permission: 'console.manager' }, run: (ctx) => managerConsoleSummary(ctx) });

export const marketerConsole = endpoint({ access: { permission: 'console.marketer' }, run: (ctx) => marketerConsoleSummary(ctx) });

export const adminConsole = endpoint({ access: { permission: 'console.admin' }, run: (ctx) => adminConsoleSummary(ctx) });
