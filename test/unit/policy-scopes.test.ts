import { describe, expect, it } from '@jest/globals';
import { mongoose } from '../../server/db/connect.js';
import type { Actor } from '../../server/policies/permissions.js';
import { customerReadRef, recordFields, rolesFor, scopeFilter } from '../../server/policies/scopes.js';
import { assertSessionRule, mayReceiveSession, sessionRules } from '../../server/policies/record-rules.js';
import { ForbiddenError } from '../../server/errors.js';
import { flagsFor } from '../../server/policies/flags.js';

const oid = () => new mongoose.Types.ObjectId();
const orgId = oid();
const storeId = oid();
const me = oid();
const actor = (roles: Actor['roles'], store: mongoose.Types.ObjectId | null = storeId): Actor => ({
  id: String(me),
  orgId: String(orgId),
  roles,
  storeId: store ? String(store) : null,
});
const ctxOf = (a: Actor) => ({ orgId: String(orgId), actor: a });
/** Filters compared as plain JSON: ObjectIds become their hex strings. */
const plain = (filter: Record<string, unknown>) => JSON.parse(JSON.stringify(filter)) as unknown;

describe('customerReadRef', () => {
  it('lets a reader open a customer shared with her, as the read filter does, and never turns a share into a right to change it', () => {
    const agent = actor(['agent'], null);
    const shared = { storeId, ownerId: oid(), sharedWith: [oid(), me] };
    const notShared = { storeId, ownerId: null, sharedWith: [oid()] };
    expect(flagsFor(agent, { canOpen: ['customer.read', customerReadRef(agent, shared)] }).canOpen).toBe(true);
    expect(flagsFor(agent, { canOpen: ['customer.read', customerReadRef(agent, notShared)] }).canOpen).toBe(false);
    expect(flagsFor(agent, { canEdit: ['customer.write', customerReadRef(agent, shared)] }).canEdit).toBe(false);
    // A manager reads her store's customers only, and an admin the organisation's.
    expect(flagsFor(actor(['manager']), { canOpen: ['customer.read', customerReadRef(actor(['manager']), notShared)] }).canOpen).toBe(true);
    const elsewhere = { storeId: oid(), ownerId: null };
    expect(flagsFor(actor(['manager']), { canOpen: ['customer.read', customerReadRef(actor(['manager']), elsewhere)] }).canOpen).toBe(false);
    expect(flagsFor(actor(['admin']), { canOpen: ['customer.read', customerReadRef(actor(['admin']), elsewhere)] }).canOpen).toBe(true);
  });
});

describe('scopeFilter', () => {
  it('gives the organisation, the store or the own records, from the matrix, always within the organisation', () => {
    expect(plain(scopeFilter(ctxOf(actor(['admin'])), 'followup.read'))).toEqual({ orgId: String(orgId) });
    expect(plain(scopeFilter(ctxOf(actor(['manager'])), 'followup.read'))).toEqual({ orgId: String(orgId), storeId: String(storeId) });
    expect(plain(scopeFilter(ctxOf(actor(['clerk'])), 'followup.read'))).toEqual({ orgId: String(orgId), ownerId: String(me) });
  });

  it('takes the widest scope of several roles', () => {
    expect(plain(scopeFilter(ctxOf(actor(['clerk', 'manager'])), 'customer.write'))).toEqual({ orgId: String(orgId), storeId: String(storeId) });
  });

  it('names the fields of each kind of record', () => {
    expect(plain(scopeFilter(ctxOf(actor(['clerk'])), 'customer.read', recordFields.sharedCustomer))).toEqual({
      orgId: String(orgId),
      $or: [{ ownerId: String(me) }, { sharedWith: String(me) }],
    });
    expect(plain(scopeFilter(ctxOf(actor(['clerk'])), 'moment.read', recordFields.post))).toEqual({ orgId: String(orgId), authorId: String(me) });
    expect(plain(scopeFilter(ctxOf(actor(['manager'])), 'store.read', recordFields.store))).toEqual({ orgId: String(orgId), _id: String(storeId) });
    expect(plain(scopeFilter(ctxOf(actor(['clerk'])), 'customer.write', recordFields.staff))).toEqual({ orgId: String(orgId), _id: String(me) });
    expect(plain(scopeFilter(ctxOf(actor(['manager'])), 'campaign.read', recordFields.campaign))).toEqual({
      orgId: String(orgId),
      $or: [{ storeIds: { $size: 0 } }, { storeIds: String(storeId) }],
    });
  });

  it('refuses an actor the matrix gives no scope, like authorize', () => {
    expect(() => scopeFilter(ctxOf(actor(['agent'])), 'customer.write')).toThrow(ForbiddenError);
    expect(() => scopeFilter(ctxOf(actor([])), 'followup.read')).toThrow(ForbiddenError);
  });

  it('refuses a scope the kind of record cannot express rather than widening it', () => {
    expect(() => scopeFilter(ctxOf(actor(['clerk'])), 'customer.read', recordFields.store)).toThrow(ForbiddenError);
  });

  it('matches nothing, never the records without a store, for a store scope without a store', () => {
    expect(plain(scopeFilter(ctxOf(actor(['manager'], null)), 'followup.read'))).toEqual({ orgId: String(orgId), storeId: { $in: [] } });
    expect(plain(scopeFilter(ctxOf(actor(['manager'], null)), 'campaign.read', recordFields.campaign))).toEqual({
      orgId: String(orgId),
      storeIds: { $in: [] },
    });
  });

  it('gives a system actor the organisation', () => {
    expect(plain(scopeFilter(ctxOf({ id: 'system', orgId: String(orgId), roles: [], storeId: null, system: true }), 'customer.read'))).toEqual({
      orgId: String(orgId),
    });
  });
});

describe('rolesFor', () => {
  it('lists the roles the matrix lets take an action', () => {
    expect(rolesFor('customer.own').sort()).toEqual(['clerk', 'manager']);
    expect(rolesFor('customer.share_receive').sort()).toEqual(['agent', 'clerk', 'manager']);
    expect(rolesFor('chat.serve').sort()).toEqual(['admin', 'agent', 'clerk', 'manager']);
  });

  it('keeps the roles whose reach is at least as wide as asked', () => {
    expect(rolesFor('chat.serve', 'store').sort()).toEqual(['admin', 'agent', 'manager']);
    expect(rolesFor('chat.serve', 'org').sort()).toEqual(['admin', 'agent']);
  });
});

describe('record rules of a chat session', () => {
  const otherStore = oid();
  const colleague = oid();
  const session = (fields: { agentId?: unknown; ownerId?: unknown; storeId?: unknown }) =>
    ({ agentId: null, ownerId: null, storeId, ...fields }) as Parameters<typeof sessionRules.serve>[1];

  it('lets only the assigned agent speak', () => {
    expect(sessionRules.speak(actor(['agent']), session({ agentId: me }))).toBe(true);
    expect(sessionRules.speak(actor(['admin']), session({ agentId: colleague }))).toBe(false);
  });

  it('lets managers supervise their store only, admins everywhere, agents never', () => {
    expect(sessionRules.supervise(actor(['manager']), session({ agentId: colleague }))).toBe(true);
    expect(sessionRules.supervise(actor(['manager']), session({ agentId: colleague, storeId: otherStore }))).toBe(false);
    expect(sessionRules.supervise(actor(['admin']), session({ agentId: colleague, storeId: otherStore }))).toBe(true);
    expect(sessionRules.supervise(actor(['agent']), session({ agentId: colleague }))).toBe(false);
  });

  it('lets the serving agent or a supervisor transfer (taking over is a transfer to oneself), and refuses a colleague', () => {
    expect(sessionRules.transfer(actor(['agent']), session({ agentId: me }))).toBe(true);
    expect(sessionRules.transfer(actor(['manager']), session({ agentId: colleague }))).toBe(true);
    expect(() => assertSessionRule('transfer', actor(['agent']), session({ agentId: colleague }))).toThrow(ForbiddenError);
  });

  it('lets anyone in reach close a session nobody serves; a served one only its agent or a supervisor', () => {
    expect(sessionRules.close(actor(['agent']), session({}))).toBe(true);
    expect(sessionRules.close(actor(['agent']), session({ agentId: colleague }))).toBe(false);
    expect(sessionRules.close(actor(['admin']), session({ agentId: colleague }))).toBe(true);
  });

  it('lets whoever serves a session act on its customer as themself, a clerk only her own customer', () => {
    expect(sessionRules.actOnCustomer(actor(['agent'], null), session({ storeId: otherStore }))).toBe(true);
    expect(sessionRules.actOnCustomer(actor(['clerk']), session({ ownerId: me }))).toBe(true);
    expect(sessionRules.actOnCustomer(actor(['clerk']), session({ ownerId: colleague }))).toBe(false);
  });

  it('hands a session to a colleague whose own reach covers it', () => {
    const to = (roles: Actor['roles'], store: mongoose.Types.ObjectId | null = storeId) => ({ _id: colleague, roles, storeId: store });
    expect(mayReceiveSession(to(['agent'], null), String(orgId), session({ storeId: otherStore }))).toBe(true);
    expect(mayReceiveSession(to(['manager']), String(orgId), session({}))).toBe(true);
    expect(mayReceiveSession(to(['manager']), String(orgId), session({ storeId: otherStore }))).toBe(false);
    expect(mayReceiveSession(to(['clerk']), String(orgId), session({ ownerId: colleague }))).toBe(true);
    expect(mayReceiveSession(to(['clerk']), String(orgId), session({ ownerId: me }))).toBe(false);
    expect(mayReceiveSession(to(['clerk', 'agent']), String(orgId), session({ ownerId: me }))).toBe(true);
  });
});

describe('scope-shaped view flags', () => {
  it('tells whether the reach goes beyond her own records, and whether it is one store', () => {
    const checks = { routed: { beyondOwn: 'chat.serve' }, oneStore: { storeOnly: 'chat.serve' } } as const;
    expect(flagsFor(actor(['clerk']), checks)).toEqual({ routed: false, oneStore: false });
    expect(flagsFor(actor(['manager']), checks)).toEqual({ routed: true, oneStore: true });
    expect(flagsFor(actor(['agent']), checks)).toEqual({ routed: true, oneStore: false });
    expect(flagsFor(actor(['marketer']), checks)).toEqual({ routed: false, oneStore: false });
  });
});
