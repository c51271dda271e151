/** Room names, built in one place so emitters and joiners agree. */
export const rooms = {
  org: (orgId: string) => `org:${orgId}`,
  staff: (staffId: string) => `staff:${staffId}`,
  /** The sockets of one browser session (signInKeyOf its id): signing out ends them, not the person's other browsers. */
  signIn: (signInKey: string) => `sign-in:${signInKey}`,
  agent: (staffId: string) => `agent:${staffId}`,
  session: (sessionId: string) => `session:${sessionId}`,
  /** Everyone in the organisation who serves chats: queue changes. */
  queue: (orgId: string) => `queue:${orgId}`,
  /** Store-scoped chat staff (managers): only their store's sessions. */
  storeQueue: (orgId: string, storeId: string) => `queue:${orgId}:store:${storeId}`,
  /** A customer's devices and tabs (on the /customer namespace). */
  visitor: (visitorId: string) => `visitor:${visitorId}`,
};
