import { mongoose } from '../db/connect.js';

const { Schema, model } = mongoose;

export const auditActions = [
  'auth.login',
  'auth.login_failed',
  'auth.logout',
  'auth.step_up',
  'token.create',
  'token.revoke',
  'staff.create',
  'staff.update',
  'staff.roles_change',
  'staff.deactivate',
  'staff.reactivate',
  'staff.password_reset',
  'store.create',
  'store.update',
  'org.settings_change',
  'customer.phone_reveal',
  'customer.transfer',
  'customer.export',
  'customer.erase',
  'followup.rule_change',
  'job.retry',
  'group.transfer',
  'customer.page_link',
  'customer.page_signout',
  'campaign.create',
  'campaign.update',
  'campaign.cancel',
] as const;
export type AuditAction = (typeof auditActions)[number];

export interface AuditEventDoc {
  _id: mongoose.Types.ObjectId;
  orgId: mongoose.Types.ObjectId;
  actorId?: mongoose.Types.ObjectId | null | undefined;
  action: AuditAction;
  targetType?: string | undefined;
  targetId?: mongoose.Types.ObjectId | null | undefined;
  meta: Record<string, unknown>;
  ip?: string | undefined;
  at: Date;
}

const auditEventSchema = new Schema<AuditEventDoc>({
  orgId: { type: Schema.Types.ObjectId, ref: 'Organization', required: true },
  actorId: { type: Schema.Types.ObjectId, ref: 'Staff', default: null },
  action: { type: String, enum: auditActions, required: true },
  targetType: { type: String },
  targetId: { type: Schema.Types.ObjectId, default: null },
  meta: { type: Schema.Types.Mixed, default: () => ({}) },
  ip: { type: String },
  at: { type: Date, default: () => new Date() },
});

auditEventSchema.index({ orgId: 1, at: -1 });
auditEventSchema.index({ orgId: 1, targetType: 1, targetId: 1, at: -1 });

// The audit trail is append-only: no update or delete path exists in the services.
export const AuditEvent = model<AuditEventDoc>('AuditEvent', auditEventSchema);
