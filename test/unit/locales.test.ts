import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { rootDir } from '../../server/paths.js';
import { readLocale } from '../../server/i18n/index.js';
import { auditActions } from '../../server/models/audit-event.js';
import { roles } from '../../server/models/staff.js';
import { customerSources, genders } from '../../server/models/customer.js';
import { timelineTypes } from '../../server/models/timeline-event.js';
import { importPolicies } from '../../server/models/customer-import.js';
import { followupOutcomes } from '../../server/models/followup-task.js';
import { builtinOccasions } from '../../server/services/followups/rules.js';
import { jobs } from '../../jobs/index.js';
import { routingModes } from '../../server/models/chat-channel.js';
import { massMessagePolicies } from '../../server/domain/settings.js';

type Tree = { [key: string]: string | Tree };
const load = (locale: string) => readLocale(locale) as Tree;

function keysOf(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([key, value]) => (typeof value === 'string' ? [`${prefix}${key}`] : keysOf(value, `${prefix}${key}.`)));
}

function textsOf(tree: Tree, prefix = ''): [string, string][] {
  return Object.entries(tree).flatMap(([key, value]): [string, string][] =>
    typeof value === 'string' ? [[`${prefix}${key}`, value]] : textsOf(value, `${prefix}${key}.`),
  );
}

function filesUnder(dir: string, ext: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full, ext) : entry.name.endsWith(ext) ? [full] : [];
  });
}

const zh = new Set(keysOf(load('zh-CN')));
const en = new Set(keysOf(load('en')));

describe('locale files', () => {
  it("use one placeholder syntax, i18next's {{name}}; single braces only in the message templates staff type", () => {
    // {客户称呼} and {customer} are message placeholders, the words a clerk types into a template (server/domain/message-placeholders.ts).
    const messageTemplates = /^(followups\.defaultMessage\.|followupRules\.messageHint$)/;
    for (const locale of ['zh-CN', 'en']) {
      const single = textsOf(load(locale))
        .filter(([key, text]) => /(?<!\{)\{\w+\}(?!\})/.test(text) && !messageTemplates.test(key))
        .map(([key]) => key);
      expect({ locale, single }).toEqual({ locale, single: [] });
    }
  });

  it('have the same keys in Chinese and English', () => {
    expect([...zh].filter((k) => !en.has(k))).toEqual([]);
    expect([...en].filter((k) => !zh.has(k))).toEqual([]);
  });

  it('hold every literal key the views and the server use', () => {
    const used = new Set<string>();
    for (const file of filesUnder(path.join(rootDir, 'views'), '.hbs')) {
      for (const match of fs.readFileSync(file, 'utf8').matchAll(/[\s({]t "([a-zA-Z_.-]+)"/g)) used.add(match[1]!);
    }
    for (const file of filesUnder(path.join(rootDir, 'server'), '.ts')) {
      const text = fs.readFileSync(file, 'utf8');
      for (const match of text.matchAll(/(?:i18n\.t\(|tr\(req, |flash\(req, '\w+', |messageKey: )'([a-zA-Z_.]+)'/g)) used.add(match[1]!);
      for (const match of text.matchAll(/key: '([a-zA-Z_.]+)'/g)) used.add(match[1]!);
    }
    for (const action of auditActions) used.add(`audit.actions.${action}`);
    for (const role of roles) used.add(`roles.${role}`);
    for (const gender of genders) used.add(`genders.${gender}`);
    for (const source of customerSources) used.add(`sources.${source}`);
    for (const type of timelineTypes) used.add(`timeline.${type}`);
    for (const policy of importPolicies) used.add(`import.policies.${policy}`);
    for (const status of ['running', 'done', 'failed', 'interrupted']) used.add(`import.status.${status}`);
    for (const sort of ['updated', 'name', 'created']) used.add(`customers.sorts.${sort}`);
    for (const occasion of [...builtinOccasions, 'event']) used.add(`occasions.${occasion}`);
    for (const outcome of followupOutcomes) used.add(`followups.outcomes.${outcome}`);
    for (const section of ['today', 'overdue', 'upcoming']) used.add(`followups.sections.${section}`).add(`followups.empty.${section}`);
    for (const kind of ['birthday', 'relative', 'festival']) used.add(`followups.defaultMessage.${kind}`);
    for (const state of ['running', 'scheduled', 'queued', 'completed', 'failed', 'repeating', 'paused']) used.add(`jobs.states.${state}`);
    for (const mode of routingModes) used.add(`chatChannels.routing.${mode}`);
    for (let day = 0; day < 7; day += 1) used.add(`chatChannels.weekdays.${day}`);
    for (const field of ['welcomeMessage', 'offlineMessage', 'closingMessage']) used.add(`chatChannels.${field}`).add(`chat.defaults.${field}`);
    for (const reason of ['no_customer_message', 'window_expired', 'limit_reached', 'not_serving']) used.add(`chat.replyWindow.${reason}`);
    // The jobs page lists every job of the registry, each with its schedule in words and its scope.
    for (const job of jobs) used.add(`jobs.names.${job.name}`);
    for (const unit of ['second', 'minute', 'hour', 'day', 'week']) used.add(`jobs.every.${unit}`).add(`jobs.every.${unit}One`);
    for (const scope of ['org', 'platform', 'unscheduled']) used.add(`jobs.scopes.${scope}`);
    // An error page's heading for every status the app answers with.
    for (const status of [400, 401, 403, 404, 409, 413, 415, 429, 500, 503, 'other']) used.add(`errors.headings.${status}`);
    for (const policy of massMessagePolicies) used.add(`settings.massMessagePolicies.${policy}`);
    expect(used.size).toBeGreaterThan(60);
    // A key may also name a whole subtree that a page script receives as one object (chat.client).
    const known = (k: string) => zh.has(k) || [...zh].some((leaf) => leaf.startsWith(`${k}.`));
    expect([...used].filter((k) => !known(k)).sort()).toEqual([]);
  });
});
