import { badgeAwarder, badgeRevoker } from '../../../domain/commands/badge.js';
import { skillAdder, skillRemover } from '../../../domain/commands/skill.js';
import { profilePictureSetter } from '../../../domain/commands/profilePicture.js';
import { invalidParameter } from '../../../errors.js';
import { authorize } from '../../../policies/graph.js';
import type { NodeRoute } from '../../registry.js';
import { type GraphRequest, success } from '../../request.js';
import type { MemberNode } from './node.js';

// Badges, skills and the picture of a member's profile: POST/DELETE /{member}/badges and
// /{member}/skills, POST /{member}/profile_pictures.

/** `badge=` from the parameters, or the third path segment (`DELETE /{member}/badges/{badge}`). */
function badgeParam(req: GraphRequest<MemberNode>): string {
  const badge = req.subId ?? req.params.string('badge');
  if (!badge) throw invalidParameter('The parameter badge is required');
  return badge;
}

async function awardBadge(req: GraphRequest<MemberNode>) {
  authorize(req.actor, 'member.badges.write');
  await req.write((w) => badgeAwarder(w, req.node.row, badgeParam(req)));
  return success;
}

async function revokeBadge(req: GraphRequest<MemberNode>) {
  authorize(req.actor, 'member.badges.write');
  await req.write((w) => badgeRevoker(w, req.node.row, badgeParam(req)));
  return success;
}

async function addSkill(req: GraphRequest<MemberNode>) {
  authorize(req.actor, 'member.skills.write');
  const { skill } = await req.write((w) => skillAdder(w, req.node.row, req.params.string('name')));
  return { id: skill.id };
}

async function removeSkill(req: GraphRequest<MemberNode>) {
  authorize(req.actor, 'member.skills.write');
  await req.write((w) => skillRemover(w, req.node.row, req.subId ?? req.params.string('name')));
  return success;
}

/** POST /{member}/profile_pictures: `image_url=`, or an uploaded file (`source`, `file` or `image`); `caption=`. */
async function setProfilePicture(req: GraphRequest<MemberNode>) {
  authorize(req.actor, 'account.update');
  const upload = req.params.file('source') ?? req.params.file('file') ?? req.params.file('image');
  const url = req.params.string('image_url') ?? req.params.string('url');
  if (!upload && !url) throw invalidParameter('Give image_url, or upload the picture as source');
  const id = await req.write((w) => profilePictureSetter(w, req.node.row, upload ? { data: upload.data } : { url: url! }, req.params.string('caption')));
  return { id };
}

const badgeParams = [{ name: 'badge', description: 'A built-in badge id (GET /community/badges) or workplace_custom#{id}', required: true }] as const;
const skillParams = [{ name: 'name', description: 'The skill, matched case-insensitively', required: true }] as const;

export const memberCommunityRoutes: readonly NodeRoute<MemberNode>[] = [
  { edge: 'badges', method: 'POST', handler: awardBadge, summary: 'Award a badge to the member', params: badgeParams },
  { edge: 'badges', method: 'DELETE', handler: revokeBadge, subId: true, summary: "Take a badge off the member's profile", params: badgeParams },
  { edge: 'skills', method: 'POST', handler: addSkill, summary: "Add a skill to the member's profile", params: skillParams },
  { edge: 'skills', method: 'DELETE', handler: removeSkill, subId: true, summary: "Remove a skill from the member's profile", params: skillParams },
  {
    edge: 'profile_pictures',
    method: 'POST',
    handler: setProfilePicture,
    summary: "Set the member's profile picture by URL or upload",
    params: [
      { name: 'image_url', description: 'An http(s) URL of the picture' },
      { name: 'source', description: 'The picture as an uploaded file (multipart)' },
      { name: 'caption', description: 'A caption' },
    ],
  },
];
