import { describe, expect, it, beforeAll } from '@jest/globals';
import request from 'supertest';
import type { Express } from 'express';
import { useTestDatabase } from '../setup/db.js';
import { buildTestApp, csrfTokenIn, signIn, type Agent } from '../setup/app.js';
import { createCustomer, createCustomerGroup, createOrgWithTeam, createTag, createTagGroup, PASSWORD } from '../factories.js';

/**
 * Walks the app's forms: each is filled as a person would (every text typed, the last option of each list chosen,
 * a checkbox group ticked differently from its default), one field is made invalid, and the form shown again must
 * hold every value entered. Fields are read from the page itself, so a field added later is walked too.
 */
useTestDatabase();

let app: Express;
beforeAll(async () => {
  ({ app } = await buildTestApp());
});

// --- A small reader of the forms our views write (double-quoted attributes, one element per tag) ---------------------

type Attrs = Record<string, string>;
type Control =
  | { kind: 'text'; name: string; type: string; value: string; attrs: Attrs }
  | { kind: 'textarea'; name: string; value: string; attrs: Attrs }
  | { kind: 'select'; name: string; options: string[]; selected: string[]; attrs: Attrs }
  | { kind: 'check'; name: string; type: 'checkbox' | 'radio'; value: string; checked: boolean; attrs: Attrs };

const decode = (text: string) =>
  text.replace(
    /&(amp|lt|gt|quot|#x27|#x3D|#x60|#39);/g,
    (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#x27': "'", '#x3D': '=', '#x60': '`', '#39': "'" })[e] ?? _,
  );

function attrsOf(tag: string): Attrs {
  const attrs: Attrs = {};
  for (const [, name, value] of tag.matchAll(/\s([a-zA-Z_:][-\w:.]*)(?:="([^"]*)")?/g)) attrs[name!] = decode(value ?? '');
  return attrs;
}

/** The form posting to `action` (the first, when a page has several), as its controls in page order. */
function formIn(html: string, action: string): { attrs: Attrs; controls: Control[] } {
  for (const [, open, body] of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const attrs = attrsOf(open!);
    if (attrs.action !== action && !attrs.action?.startsWith(`${action}?`)) continue;
    const controls: Control[] = [];
    for (const [element] of body!.matchAll(/<input\b[^>]*>|<textarea\b[^>]*>[\s\S]*?<\/textarea>|<select\b[^>]*>[\s\S]*?<\/select>/g)) {
      const a = attrsOf(/^<\w+\b[^>]*>/.exec(element)![0]);
      if (!a.name || 'disabled' in a) continue;
      if (element.startsWith('<textarea'))
        controls.push({ kind: 'textarea', name: a.name, value: decode(/>([\s\S]*?)<\/textarea>$/.exec(element)![1]!).replace(/^\n/, ''), attrs: a });
      else if (element.startsWith('<select')) {
        const options = [...element.matchAll(/<option\b([^>]*)>/g)].map(([, o]) => attrsOf(o!));
        controls.push({
          kind: 'select',
          name: a.name,
          options: options.map((o) => o.value ?? ''),
          selected: options.filter((o) => 'selected' in o).map((o) => o.value ?? ''),
          attrs: a,
        });
      } else if (a.type === 'checkbox' || a.type === 'radio')
        controls.push({ kind: 'check', name: a.name, type: a.type, value: a.value ?? 'on', checked: 'checked' in a, attrs: a });
      else if (a.type !== 'submit' && a.type !== 'button' && a.type !== 'file')
        controls.push({ kind: 'text', name: a.name, type: a.type ?? 'text', value: a.value ?? '', attrs: a });
    }
    return { attrs, controls };
  }
  throw new Error(`no form posting to ${action} in the page`);
}

/** What a person types into each kind of field: values the field accepts, told apart from any default. */
function typed(control: Extract<Control, { kind: 'text' | 'textarea' }>, n: number): string {
  const type = control.kind === 'textarea' ? 'textarea' : control.type;
  if (type === 'time') return `0${n % 10}:4${n % 10}`;
  if (type === 'date') return `2031-0${(n % 9) + 1}-1${n % 10}`;
  if (type === 'number') return String(Number(control.attrs.min ?? 1) + 1 + (n % 3));
  if (type === 'password') return `kept-password-${n}`;
  if (type === 'email') return `kept${n}@example.com`;
  if (type === 'url') return `https://example.com/kept-${n}`;
  if (type === 'tel') return `1391234${String(1000 + n)}`;
  return `值${n} kept`;
}

type Filled = { body: Record<string, string | string[]>; expected: Map<string, string[]> };

/** Fills every control; a checkbox group gets its last box only (its defaults untouched would prove nothing). */
function fill(controls: Control[], overrides: Record<string, string | string[]>): Filled {
  const body: Record<string, string | string[]> = {};
  const expected = new Map<string, string[]>();
  const groups = new Map<string, Extract<Control, { kind: 'check' }>[]>();
  controls.forEach((control, n) => {
    if (control.kind === 'check') return void groups.set(control.name, [...(groups.get(control.name) ?? []), control]);
    if (control.kind === 'text' && control.type === 'hidden') return void (body[control.name] = control.value);
    if (control.kind === 'select') {
      const value = control.options.filter((o) => o !== '').at(-1) ?? '';
      body[control.name] = value;
      return void expected.set(control.name, [value]);
    }
    const value = typed(control, n);
    const earlier = body[control.name];
    // Repeated rows send one field name several times, in order.
    body[control.name] = earlier === undefined ? value : [...[earlier].flat(), value];
    expected.set(control.name, [...(expected.get(control.name) ?? []), value]);
  });
  for (const [name, boxes] of groups) {
    // A lone checkbox is turned the other way; a group (or radios) gets its last one only.
    const chosen = boxes.length === 1 && boxes[0]!.type === 'checkbox' ? (boxes[0]!.checked ? [] : [boxes[0]!.value]) : [boxes.at(-1)!.value];
    if (chosen.length) body[name] = chosen.length === 1 ? chosen[0]! : chosen;
    expected.set(name, chosen);
  }
  // The invalid value is what the person typed too: it is shown again beside its message.
  for (const [name, value] of Object.entries(overrides)) {
    body[name] = value;
    expected.set(name, [value].flat());
  }
  return { body, expected };
}

/** The values a shown form holds, per field name, in the terms of `fill`. */
function shown(controls: Control[]): Map<string, string[]> {
  const values = new Map<string, string[]>();
  const add = (name: string, value: string[]) => values.set(name, [...(values.get(name) ?? []), ...value]);
  for (const control of controls) {
    if (control.kind === 'check') add(control.name, control.checked ? [control.value] : []);
    else if (control.kind === 'select') add(control.name, control.selected.length ? control.selected : control.options.slice(0, 1));
    else add(control.name, [control.value]);
  }
  return values;
}

type Walk = {
  /** The page that shows the form, and the form's action on it. */
  page: string;
  action: string;
  /** The field(s) made invalid, so the form is refused and shown again. */
  invalid: Record<string, string | string[]>;
  status?: number;
};

async function walk(agent: Agent, spec: Walk): Promise<{ html: string }> {
  const before = await agent.get(spec.page).expect(200);
  const form = formIn(before.text, spec.action);
  const { body, expected } = fill(form.controls, spec.invalid);
  body._csrf = csrfTokenIn(before.text);
  let res;
  if (form.attrs.enctype === 'multipart/form-data') {
    // A form with pictures: the same fields as multipart parts, to the address the page gives (it holds the token).
    let req = agent.post(form.attrs.action!);
    for (const [name, value] of Object.entries(body)) for (const one of [value].flat()) req = req.field(name, one);
    res = await req;
  } else res = await agent.post(spec.action).type('form').send(body);
  expect({ form: spec.action, status: res.status }).toEqual({ form: spec.action, status: spec.status ?? 400 });
  expect(res.headers['cache-control']).toBe('no-store');
  expect(expected.size).toBeGreaterThan(0);
  const again = shown(formIn(res.text, spec.action).controls);
  // A repeated block may offer one more empty row to fill: that adds a row, it loses nothing.
  const keeps = (value: string[], shownValue: string[]) =>
    JSON.stringify(shownValue.slice(0, value.length)) === JSON.stringify(value) && shownValue.slice(value.length).every((v) => v === '');
  const lost = [...expected]
    .filter(([name, value]) => !keeps(value, again.get(name) ?? []))
    .map(([name, value]) => ({ name, entered: value, shown: again.get(name) ?? [] }));
  expect({ form: spec.action, lost }).toEqual({ form: spec.action, lost: [] });
  return { html: res.text };
}

async function confirmPassword(agent: Agent, next: string): Promise<void> {
  const prompt = await agent.get(`/confirm-password?next=${encodeURIComponent(next)}`).expect(200);
  await agent
    .post('/confirm-password')
    .type('form')
    .send({ _csrf: csrfTokenIn(prompt.text), password: PASSWORD, next })
    .expect(303);
}

describe('a refused form is shown again with every value entered', () => {
  it('walks the admin forms: stores, staff (new, edit, password), settings and channels', async () => {
    const { admin, clerk, store } = await createOrgWithTeam();
    const agent = await signIn(app, admin.login, PASSWORD);
    const clerkId = String(clerk._id);
    await walk(agent, { page: '/admin/stores/new', action: '/admin/stores', invalid: { name: '' } });
    await walk(agent, { page: `/admin/stores/${String(store._id)}/edit`, action: `/admin/stores/${String(store._id)}`, invalid: { name: '' } });
    await walk(agent, { page: '/admin/staff/new', action: '/admin/staff', invalid: { login: 'Bad Login!' } });
    await walk(agent, { page: `/admin/staff/${clerkId}/edit`, action: `/admin/staff/${clerkId}`, invalid: { realName: '' } });
    // The password form shares its page with the profile form: a refused password leaves the profile as stored.
    const reset = await walk(agent, { page: `/admin/staff/${clerkId}/edit`, action: `/admin/staff/${clerkId}/password`, invalid: { password: 'short' } });
    expect(shown(formIn(reset.html, `/admin/staff/${clerkId}`).controls).get('realName')).toEqual([clerk.realName]);

    await confirmPassword(agent, '/admin/settings');
    await walk(agent, { page: '/admin/settings', action: '/admin/settings', invalid: { maxTransfers: '99' } });
    await walk(agent, { page: '/admin/channels/new', action: '/admin/channels', invalid: { name: '' } });
  }, 120_000);

  it('walks the forms of the other areas: customers, tags, follow-up rules, profile, canned replies, groups, moments, campaigns', async () => {
    const { org, admin, clerk, marketer, store } = await createOrgWithTeam();
    const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id });
    const tagGroup = await createTagGroup(org._id);
    const tag = await createTag(org._id, { groupId: tagGroup._id });
    const group = await createCustomerGroup(org._id, { ownerId: clerk._id, storeId: store._id });
    const customerId = String(customer._id);
    const admins = await signIn(app, admin.login, PASSWORD);
    const clerks = await signIn(app, clerk.login, PASSWORD);
    const marketers = await signIn(app, marketer.login, PASSWORD);

    const failures: string[] = [];
    // Every form is walked, so one run names every form that loses something.
    for (const [agent, spec] of [
      [clerks, { page: '/customers/new', action: '/customers', invalid: { name: '' } }],
      [clerks, { page: `/customers/${customerId}/edit`, action: `/customers/${customerId}`, invalid: { name: '' } }],
      [admins, { page: '/tags', action: '/tags/groups', invalid: { name: '' } }],
      [admins, { page: '/tags', action: `/tags/groups/${String(tagGroup._id)}/tags`, invalid: { tags: 'x'.repeat(31) } }],
      [clerks, { page: '/tags', action: '/tags/personal', invalid: { name: '' } }],
      [admins, { page: `/tags/${String(tag._id)}/edit`, action: `/tags/${String(tag._id)}`, invalid: { name: '' } }],
      [marketers, { page: '/followups/rules', action: '/followups/rules', invalid: { name: '' } }],
      [marketers, { page: '/followups/rules/birthday', action: '/followups/rules/birthday', invalid: { leadDays: '61' } }],
      [clerks, { page: '/profile', action: '/profile/dnd', invalid: { dndStart: '25:00' } }],
      [clerks, { page: '/profile', action: '/profile/tokens', invalid: { name: 'x'.repeat(61) } }],
      [admins, { page: '/chat/canned', action: '/chat/canned', invalid: { shortcut: '' } }],
      [clerks, { page: '/groups', action: '/groups', invalid: { name: '' } }],
      [clerks, { page: `/groups/${String(group._id)}`, action: `/groups/${String(group._id)}`, invalid: { name: '' } }],
      [clerks, { page: '/moments', action: '/moments', invalid: { text: '' } }],
      [marketers, { page: '/campaigns/new', action: '/campaigns', invalid: { title: '' } }],
      [clerks, { page: `/groups/${String(group._id)}`, action: `/groups/${String(group._id)}/posts`, invalid: { text: '' } }],
      [request.agent(app), { page: `/g/${group.inviteKey}`, action: `/g/${group.inviteKey}/join`, invalid: { name: '' } }],
    ] as [Agent, Walk][]) {
      await walk(agent, spec).catch((err: unknown) =>
        failures.push(
          `${spec.action}: ${String((err as Error).message)
            .replace(/\s+/g, ' ')
            .slice(0, 600)}`,
        ),
      );
    }
    expect(failures).toEqual([]);
    // Some thirty pages and posts: more than the default 30 s on a shared 2-core machine.
  }, 120_000);
});
