import type { CampaignDoc, CampaignTaskDoc } from '../models/campaign.js';
import { presentImages, staffImageBase, type ImageBase } from './post.js';

/** Campaigns whose pictures are read from `base` (staff pages: /media/, the API: /api/v1/media/). */
export const campaignPresenter = (base: ImageBase) => (campaign: CampaignDoc) => {
  return {
    id: String(campaign._id),
    kind: campaign.kind,
    title: campaign.title,
    text: campaign.text,
    link: campaign.link ?? null,
    images: presentImages(campaign.imageIds, base),
    storeIds: campaign.storeIds.map(String),
    tagIds: campaign.tagIds.map(String),
    publishAt: campaign.publishAt,
    status: campaign.status,
    editable: campaign.status === 'scheduled',
    firedAt: campaign.firedAt ?? null,
    tasksCreated: campaign.tasksCreated,
    createdAt: campaign.createdAt,
  };
};

export const presentCampaign = campaignPresenter(staffImageBase);

export const campaignTaskPresenter = (base: ImageBase) => (task: CampaignTaskDoc & { campaign: CampaignDoc; groupName: string | null }) => {
  return {
    id: String(task._id),
    status: task.status,
    groupId: task.groupId ? String(task.groupId) : null,
    groupName: task.groupName,
    postId: task.postId ? String(task.postId) : null,
    createdAt: task.createdAt,
    campaign: campaignPresenter(base)(task.campaign),
  };
};

export const presentCampaignTask = campaignTaskPresenter(staffImageBase);
