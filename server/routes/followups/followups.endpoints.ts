import { endpoint } from '../../http/endpoint.js';
import { followupCompletion, followupInbox, getFollowup, listFollowups, updateFollowup } from '../../services/followups/tasks.js';
import { changeFollowupRule, createOrgEvent, deleteOrgEvent, getFollowupRule, listFollowupRules } from '../../services/followups/rules.js';
import { festivalsIn } from '../../domain/holidays.js';
import { listOrgJobs, retryOrgJob } from '../../services/jobs/job-admin.js';
import {
  anyBody,
  eventCreateBody,
  eventForm,
  followupChangeSchema,
  followupDoneForm,
  followupListQuery,
  followupSnoozeForm,
  holidaysQuery,
  idParams,
  inboxFormQuery,
  inboxQuery,
  occasionParams,
  reportPageQuery,
  reportQuery,
  ruleChangeFor,
  storedRuleFields,
} from './followups.schema.js';

/** The follow-up use cases (tasks, the completion report, rules and events, the organisation's jobs), each declared once. */

const read = { permission: 'followup.read' } as const;
const work = { permission: 'followup.work' } as const;
const rules = { permission: 'followup.rules' } as const;

// --- Tasks ---------------------------------------------------------------------------------------------------------

export const inbox = endpoint({
  access: read,
  input: { query: inboxQuery },
  run: (ctx, { query }) => followupInbox(ctx, { ownerId: query.owner }),
});

export const listTasks = endpoint({
  access: read,
  input: { query: followupListQuery },
  run: (ctx, { query }) => listFollowups(ctx, query),
});

export const showTask = endpoint({
  access: read,
  input: { params: idParams },
  run: (ctx, { params }) => getFollowup(ctx, params.id),
});

export const changeTask = endpoint({
  access: work,
  input: { params: idParams, body: followupChangeSchema },
  run: (ctx, { params, body }) => updateFollowup(ctx, params.id, body),
});

// The inbox's forms: one action each, back to the inbox as it was (its owner filter kept).

export const markDone = endpoint({
  access: work,
  input: { params: idParams, query: inboxFormQuery, body: followupDoneForm },
  run: (ctx, { params, body }) => updateFollowup(ctx, params.id, body),
});

export const snooze = endpoint({
  access: work,
  input: { params: idParams, query: inboxFormQuery, body: followupSnoozeForm },
  run: (ctx, { params, body }) => updateFollowup(ctx, params.id, body),
});

export const reopen = endpoint({
  access: work,
  input: { params: idParams, query: inboxFormQuery },
  run: (ctx, { params }) => updateFollowup(ctx, params.id, { status: 'open' }),
});

// --- The completion report -------------------------------------------------------------------------------------------

export const report = endpoint({
  access: { permission: 'followup.report' },
  input: { query: reportQuery },
  run: (ctx, { query }) => followupCompletion(ctx, query),
});

export const reportPage = endpoint({
  access: { permission: 'followup.report' },
  input: { query: reportPageQuery },
  run: (ctx, { query }) => followupCompletion(ctx, query.range),
});

// --- Rules and the organisation's own events -------------------------------------------------------------------------

export const listRules = endpoint({
  access: rules,
  run: (ctx) => listFollowupRules(ctx),
});

export const showRule = endpoint({
  access: rules,
  input: { params: occasionParams },
  run: (ctx, { params }) => getFollowupRule(ctx, params.occasion),
});

export const addEventForm = endpoint({
  access: rules,
  input: { body: eventForm },
  run: (ctx, { body }) => createOrgEvent(ctx, body),
});

export const addEventApi = endpoint({
  access: rules,
  input: { body: eventCreateBody },
  run: (ctx, { body }) => createOrgEvent(ctx, body),
});

export const saveRuleForm = endpoint({
  access: rules,
  input: { params: occasionParams, body: anyBody },
  run: (ctx, { params, body }) => changeFollowupRule(ctx, params.occasion, (rule) => ruleChangeFor(rule.kind, body)),
});

/** An API client sends only what changes; the rest stays as stored. */
export const patchRuleApi = endpoint({
  access: rules,
  input: { params: occasionParams, body: anyBody },
  run: (ctx, { params, body }) => changeFollowupRule(ctx, params.occasion, (rule) => ruleChangeFor(rule.kind, { ...storedRuleFields(rule), ...body })),
});

export const deleteEvent = endpoint({
  access: rules,
  input: { params: occasionParams },
  run: (ctx, { params }) => deleteOrgEvent(ctx, params.occasion),
});

// --- Holidays and jobs, read by the rules' clients ---------------------------------------------------------------------

export const holidays = endpoint({
  access: 'signedIn',
  input: { query: holidaysQuery },
  run: (_ctx, { query }) => festivalsIn(query.year),
});

export const listJobs = endpoint({
  access: { permission: 'job.read' },
  run: (ctx, _input, { agenda }) => listOrgJobs(ctx, agenda),
});

export const retryJob = endpoint({
  access: { permission: 'job.manage' },
  input: { params: idParams },
  run: (ctx, { params }, { agenda }) => retryOrgJob(ctx, agenda, params.id),
});
