import { endpoint } from '../../http/endpoint.js';
import { adminConsoleSummary, customerConsoleSummary, managerConsoleSummary, marketerConsoleSummary } from '../../services/console/summaries.js';
import { agentConsoleBoot } from '../../services/console/agent-console.js';

/** Each role's console: what it shows, read once per page. */

/** `/` sends each person on to her own console. */
export const home = endpoint({ access: 'signedIn', run: (ctx) => ctx.actor });

export const clerkConsole = endpoint({ access: { permission: 'console.clerk' }, run: (ctx) => customerConsoleSummary(ctx) });

/** Agents and managers work here all day; clerks open it for their own customers' conversations. */
export const agentConsole = endpoint({
  access: { permission: 'chat.serve' },
  run: (ctx) => agentConsoleBoot(ctx),
});

export const managerConsole = endpoint({ access: { permission: 'console.manager' }, run: (ctx) => managerConsoleSummary(ctx) });

export const marketerConsole = endpoint({ access: { permission: 'console.marketer' }, run: (ctx) => marketerConsoleSummary(ctx) });

export const adminConsole = endpoint({ access: { permission: 'console.admin' }, run: (ctx) => adminConsoleSummary(ctx) });
