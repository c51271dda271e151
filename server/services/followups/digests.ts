import { FollowupDigest, FollowupTask, type FollowupDigestDoc } from '../../models/followup-task.js';
import { Staff } from '../../models/staff.js';
import { toObjectId } from '../ids.js';
import { deliverableAt } from '../org/dnd.js';
import { domainEvents } from '../events.js';
import { mailEnabled, sendMail } from '../mail/mailer.js';
import { i18n } from '../../i18n/index.js';
import type { IsoDate } from '../../domain/calendar.js';
import { mongoose } from '../../db/connect.js';
import { upsertRetryingOnce } from '../mongo-errors.js';

type Counts = FollowupDigestDoc['counts'];

/** The inbox's three lists (tasks.ts bucketFilters) as counts of tasks not done. */
function countsByDay(today: IsoDate) {
  return {
    today: { $sum: { $cond: [{ $and: [{ $lte: ['$dueOn', today] }, { $gte: ['$date', today] }] }, 1, 0] } },
    overdue: { $sum: { $cond: [{ $and: [{ $lte: ['$dueOn', today] }, { $lt: ['$date', today] }] }, 1, 0] } },
    upcoming: { $sum: { $cond: [{ $gt: ['$dueOn', today] }, 1, 0] } },
  };
}

/**
 * After the daily run: one digest per active staff member with tasks waiting, to be delivered now or, inside
 * their do-not-disturb window, when it ends. The unique key (staff, day) keeps a second run from sending twice.
 */
export async function prepareDigests(orgIdHex: string, today: IsoDate, now: Date, timezone: string): Promise<number> {
  const orgId = toObjectId(orgIdHex);
  const perOwner = await FollowupTask.aggregate<{ _id: mongoose.Types.ObjectId } & Counts>([
    { $match: { orgId, status: { $ne: 'done' } } },
    {
      $group: { _id: '$ownerId', ...countsByDay(today) },
    },
  ]);
  if (!perOwner.length) return 0;
  const staff = await Staff.find({ orgId, status: 'active', _id: { $in: perOwner.map((row) => row._id) } }, { dndStart: 1, dndEnd: 1 }).lean();
  const counts = new Map(perOwner.map((row) => [String(row._id), { today: row.today, overdue: row.overdue, upcoming: row.upcoming }]));
  let prepared = 0;
  for (const member of staff) {
    const result = await upsertRetryingOnce(() =>
      FollowupDigest.updateOne(
        { orgId, staffId: member._id, date: today },
        {
          $setOnInsert: {
            orgId,
            staffId: member._id,
            date: today,
            deliverAt: deliverableAt(now, timezone, member),
            deliveredAt: null,
            counts: counts.get(String(member._id)),
          },
        },
        { upsert: true },
      ),
    );
    prepared += result.upsertedCount;
  }
  return prepared;
}

/**
 * Delivers every digest whose time has come, across organisations (a platform job): each is claimed by one
 * conditional update, so two processes never deliver the same digest; then pushed in the app and e-mailed.
 */
export async function deliverDueDigests(now: Date): Promise<number> {
  let delivered = 0;
  for (;;) {
    const digest = await FollowupDigest.findOneAndUpdate(
      { deliveredAt: null, deliverAt: { $lte: now } },
      { $set: { deliveredAt: now } },
      { returnDocument: 'after' },
    )
      .setOptions({ allOrgs: true })
      .lean<FollowupDigestDoc>();
    if (!digest) return delivered;
    delivered += 1;
    domainEvents.emitEvent('followups.digest_delivered', {
      orgId: String(digest.orgId),
      staffId: String(digest.staffId),
      date: digest.date,
      counts: digest.counts,
    });
    if (mailEnabled()) await emailDigest(digest);
  }
}

async function emailDigest(digest: FollowupDigestDoc): Promise<void> {
  const staff = await Staff.findOne({ _id: digest.staffId, orgId: digest.orgId, status: 'active' }, { email: 1, realName: 1 }).lean();
  if (!staff?.email) return;
  const t = i18n.getFixedT('zh-CN');
  const params = { name: staff.realName, ...digest.counts };
  await sendMail({
    to: staff.email,
    subject: t('digest.subject', { count: digest.counts.today + digest.counts.overdue + digest.counts.upcoming }),
    text: t('digest.body', params),
  });
  await FollowupDigest.updateOne({ _id: digest._id, orgId: digest.orgId }, { $set: { emailedAt: new Date() } });
}

/**
 * The inbox banner: null until today's digest is delivered (nothing shows inside do-not-disturb); then the staff member's
 * own tasks as they stand now, not the morning's figures, which went stale as soon as a task was done.
 */
export async function digestBannerFor(orgIdHex: string, staffId: string, today: IsoDate): Promise<Counts | null> {
  if (!(await deliveredDigestFor(orgIdHex, staffId, today))) return null;
  const [row] = await FollowupTask.aggregate<Counts>([
    { $match: { orgId: toObjectId(orgIdHex), ownerId: toObjectId(staffId), status: { $ne: 'done' } } },
    { $group: { _id: null, ...countsByDay(today) } },
  ]);
  return { today: row?.today ?? 0, overdue: row?.overdue ?? 0, upcoming: row?.upcoming ?? 0 };
}

/** Today's digest once delivered, for the console (null before delivery, so nothing shows inside do-not-disturb). */
export async function deliveredDigestFor(orgIdHex: string, staffId: string, today: IsoDate): Promise<FollowupDigestDoc | null> {
  return FollowupDigest.findOne({
    orgId: toObjectId(orgIdHex),
    staffId: toObjectId(staffId),
    date: today,
    deliveredAt: { $ne: null },
  }).lean<FollowupDigestDoc>();
}
