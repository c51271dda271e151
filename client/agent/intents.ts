// What a rendered control asks for (open a session, accept one). The lists, the sidebar and notifications render
// such controls but sit below the modules that act, so main.ts binds the actions here (no import cycles).

export type Intents = { openSession: (sessionId: string) => void; accept: (sessionId: string) => void };

const bound: Intents = { openSession: () => {}, accept: () => {} };

export function bindIntents(actions: Intents): void {
  Object.assign(bound, actions);
}

export const intents: Intents = {
  openSession: (sessionId) => bound.openSession(sessionId),
  accept: (sessionId) => bound.accept(sessionId),
};
