import type { CampaignDoc } from '../models/campaign.js';
import type { TaskView } from '../services/campaigns/campaigns.js';
import { presentImages, staffImageBase } from './post.js';

export function presentCampaign(campaign: CampaignDoc) {
  return {
    id: String(campaign._id),
    kind: campaign.kind,
    title: campaign.title,
    text: campaign.text,
    link: campaign.link ?? null,
    images: presentImages(campaign.imageIds, staffImageBase),
    storeIds: campaign.storeIds.map(String),
    tagIds: campaign.tagIds.map(String),
    publishAt: campaign.publishAt,
    status: campaign.status,
    editable: campaign.status === 'scheduled',
    firedAt: campaign.firedAt ?? null,
    tasksCreated: campaign.tasksCreated,
    createdAt: campaign.createdAt,
  };
}

export function presentCampaignTask(task: TaskView) {
  return {
    id: String(task._id),
    status: task.status,
    groupId: task.groupId ? String(task.groupId) : null,
    groupName: task.groupName,
    postId: task.postId ? String(task.postId) : null,
    createdAt: task.createdAt,
    campaign: presentCampaign(task.campaign),
  };
}
