import { installChatReactions } from './chat/customer-reactions.js';
import { installFollowupReactions } from './followups/reactions.js';
import { installGroupReactions } from './groups/reactions.js';

let installed = false;

/**
 * One domain reacts to another's change through events, so the customers domain calls none of them (no import cycle).
 * Installed once per process by createApp, which the server and the tests' app both build on.
 */
export function installDomainReactions(): void {
  if (installed) return;
  installed = true;
  installFollowupReactions();
  installChatReactions();
  installGroupReactions();
}
