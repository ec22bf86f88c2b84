import { badgeAwarder, badgeRevoker } from '../../../domain/commands/badge.js';
import { skillAdder, skillRemover } from '../../../domain/commands/skill.js';
import { invalidParameter } from '../../../errors.js';
import { authorize } from '../../../policies/graph.js';
import type { NodeRoute } from '../../registry.js';
import { type GraphRequest, success } from '../../request.js';
import type { MemberNode } from './node.js';

// Badges and skills on a member's profile: POST/DELETE /{member}/badges and /{member}/skills.

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

const badgeParams = [{ name: 'badge', description: 'A built-in badge id (GET /community/badges) or workplace_custom#{id}', required: true }] as const;
const skillParams = [{ name: 'name', description: 'The skill, matched case-insensitively', required: true }] as const;

export const memberCommunityRoutes: readonly NodeRoute<MemberNode>[] = [
  { edge: 'badges', method: 'POST', handler: awardBadge, summary: 'Award a badge to the member', params: badgeParams },
  { edge: 'badges', method: 'DELETE', handler: revokeBadge, subId: true, summary: "Take a badge off the member's profile", params: badgeParams },
  { edge: 'skills', method: 'POST', handler: addSkill, summary: "Add a skill to the member's profile", params: skillParams },
  { edge: 'skills', method: 'DELETE', handler: removeSkill, subId: true, summary: "Remove a skill from the member's profile", params: skillParams },
];
