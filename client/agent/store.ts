// The one console state of this page, with the questions every part asks of it.
import { config, t } from './config.js';
import { createState, isMine, isQueued, type Viewer } from './state.js';
import type { AgentSession, SessionDetails } from '../shared/protocol.js';

export const state = createState(config.maxSessions);
export const viewer: Viewer = { me: config.me, storeScope: config.storeScope };
/** The open session's side details (chat:open), null until they came. */
export const open: { details: SessionDetails | null } = { details: null };

export const mine = (session: AgentSession) => isMine(viewer, session);
export const queued = (session: AgentSession) => isQueued(viewer, session);
export const current = (): AgentSession | undefined => (state.currentId ? state.sessions.get(state.currentId) : undefined);
export const displayName = (session: AgentSession | undefined) => session?.visitorName || t('sender.customer');
export const pageVisible = () => document.visibilityState === 'visible';
