// Importing every model registers it, so indexes are built at start-up for all of them.
export * from './organization.js';
export * from './store.js';
export * from './staff.js';
export * from './api-token.js';
export * from './audit-event.js';
export * from './tag.js';
export * from './customer.js';
export * from './timeline-event.js';
export * from './customer-import.js';
export * from './followup-rule.js';
export * from './followup-task.js';
export * from './chat-channel.js';
export * from './chat-session.js';
export * from './customer-group.js';
export * from './social-post.js';
export * from './usage-counter.js';
export * from './campaign.js';
