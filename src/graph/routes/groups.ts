import { groupUpdater } from '../../domain/commands/group.js';
import { groupMemberAdder, groupMemberRemover, groupRoleRevoker } from '../../domain/commands/groupMembership.js';
import { photoUploader } from '../../domain/commands/media.js';
import { postCreator, postWireId } from '../../domain/commands/post.js';
import { findMemberByEmail, findMemberById } from '../../db/repositories/member.js';
import type { GroupRow } from '../../db/repositories/group.js';
import { invalidParameter } from '../../errors.js';
import { authorize } from '../../policies/graph.js';
import { listEdge, readNode } from '../read.js';
import { type GraphRequest, type GraphRoute, success } from '../request.js';
import { groupSettings } from './community.js';
import { postInput } from './posts.js';

function groupOf(req: GraphRequest): GroupRow {
  if (req.node.type !== 'group') throw new Error('group route on another node');
  return req.node.row;
}

async function updateGroup(req: GraphRequest) {
  const group = groupOf(req);
  authorize(req.actor, 'group.update', { groupId: group.id, id: req.segment, method: 'post' });
  await req.write((w) => groupUpdater(w, group, groupSettings(req.params)));
  return success;
}

/** The member a membership call names: `member=`, `uid=`, `email=` or the path's third segment. */
async function targetMember(req: GraphRequest): Promise<string> {
  const id = req.subId ?? req.params.string('member') ?? req.params.string('uid') ?? req.params.string('user') ?? req.params.string('id');
  const email = req.params.string('email');
  if (id && email) throw invalidParameter('Give either member or email, not both');
  if (email) {
    authorize(req.actor, 'member.email');
    const member = await findMemberByEmail(req.ctx.db, email);
    if (!member) throw invalidParameter(`No member with the email ${email}`);
    return member.id;
  }
  if (!id) throw invalidParameter('The parameter member (or email) is required');
  const member = /^\d{1,20}$/.test(id) ? await findMemberById(req.ctx.db, id) : await findMemberByEmail(req.ctx.db, id);
  if (!member) throw invalidParameter(`No member with the id ${id}`);
  return member.id;
}

const roleOf = (edge: string | undefined) => (edge === 'admins' ? 'admin' : edge === 'moderators' ? 'moderator' : 'member');

async function addMember(req: GraphRequest) {
  const group = groupOf(req);
  authorize(req.actor, 'group.members.write', { groupId: group.id, id: req.segment, method: 'post' });
  const memberId = await targetMember(req);
  await req.write((w) => groupMemberAdder(w, group, memberId, roleOf(req.edge)));
  return success;
}

async function removeMember(req: GraphRequest) {
  const group = groupOf(req);
  authorize(req.actor, 'group.members.write', { groupId: group.id, id: req.segment, method: 'delete' });
  const memberId = await targetMember(req);
  const role = roleOf(req.edge);
  await req.write(async (w) => {
    if (role === 'member') await groupMemberRemover(w, group, memberId);
    else await groupRoleRevoker(w, group, memberId, role);
  });
  return success;
}

async function postToGroup(req: GraphRequest) {
  const group = groupOf(req);
  authorize(req.actor, 'group.content.write', { groupId: group.id, id: req.segment, method: 'post' });
  if (group.archived) throw invalidParameter('The group is archived; nothing can be posted in it');
  const input = postInput(req);
  const post = await req.write((w) => postCreator(w, { ...input, feedId: group.id, feedType: 'group' }));
  return { id: postWireId(post) };
}

async function photoToGroup(req: GraphRequest) {
  const group = groupOf(req);
  authorize(req.actor, 'group.content.write', { groupId: group.id, id: req.segment, method: 'post' });
  if (group.archived) throw invalidParameter('The group is archived; nothing can be posted in it');
  const file = req.params.file('source') ?? req.params.file('file');
  const url = req.params.string('url');
  const message = req.params.string('message') ?? req.params.string('caption');
  return req.write(async (w) => {
    const media = await photoUploader(w, { url, file, caption: message, published: false, groupId: group.id });
    const post = await postCreator(w, { feedId: group.id, feedType: 'group', message, mediaIds: [media.id] });
    return { id: media.id, post_id: postWireId(post) };
  });
}

export const groupRoutes: GraphRoute[] = [
  { node: 'group', edge: null, method: 'GET', handler: readNode },
  { node: 'group', edge: null, method: 'POST', handler: updateGroup },
  { node: 'group', edge: 'feed', method: 'POST', handler: postToGroup },
  { node: 'group', edge: 'photos', method: 'POST', handler: photoToGroup },
  { node: 'group', edge: 'members', method: 'POST', handler: addMember, subId: true },
  { node: 'group', edge: 'members', method: 'DELETE', handler: removeMember, subId: true },
  { node: 'group', edge: 'admins', method: 'POST', handler: addMember, subId: true },
  { node: 'group', edge: 'admins', method: 'DELETE', handler: removeMember, subId: true },
  { node: 'group', edge: 'moderators', method: 'POST', handler: addMember, subId: true },
  { node: 'group', edge: 'moderators', method: 'DELETE', handler: removeMember, subId: true },
  { node: 'group', edge: '*', method: 'GET', handler: (req) => listEdge(req) },
];
