import { groupUpdater } from '../../../domain/commands/group.js';
import { groupMemberAdder, groupMemberRemover, groupRoleRevoker, memberRequestDecliner } from '../../../domain/commands/groupMembership.js';
import { findMemberRequest } from '../../../db/repositories/groupMembershipHistory.js';
import fsp from 'node:fs/promises';
import { albumCreator } from '../../../domain/commands/album.js';
import { assembleChunks, nextOffsets, videoChunkReceiver, videoCreator, videoDeleter, videoKeys, videoUploadFinisher, videoUploadStarter } from '../../../domain/commands/video.js';
import { chunkKey, findVideosByIds, findVideoUpload } from '../../../db/repositories/video.js';
import { authorOf } from '../../../domain/actor.js';
import { isSpooledFile } from '../../../http/uploads.js';
import { newId } from '../../../ids.js';
import type { Context } from '../../../context.js';
import { docCreator } from '../../../domain/commands/doc.js';
import { photoUploader } from '../../../domain/commands/media.js';
import { postCreator, postWireId } from '../../../domain/commands/post.js';
import { findMemberByEmail, findMemberById } from '../../../db/repositories/member.js';
import { invalidParameter } from '../../../errors.js';
import { authorize } from '../../../policies/graph.js';
import type { NodeRoute, ParamDoc } from '../../registry.js';
import { type GraphRequest, success } from '../../request.js';
import { postInput, postParams } from '../post/input.js';
import { eventCreator } from '../../../domain/commands/groupEvent.js';
import { eventInput, eventParams } from '../event/input.js';
import type { GroupNode } from './node.js';
import { groupSettingParams, groupSettings } from './settings.js';

async function updateGroup(req: GraphRequest<GroupNode>) {
  const group = req.node.row;
  authorize(req.actor, 'group.update', { groupId: group.id, id: req.segment, method: 'post' });
  await req.write((w) => groupUpdater(w, group, groupSettings(req.params)));
  return success;
}

/** The member a membership call names: `member=`, `uid=`, `email=` or the path's third segment. */
async function targetMember(req: GraphRequest<GroupNode>): Promise<string> {
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

async function addMember(req: GraphRequest<GroupNode>) {
  const group = req.node.row;
  authorize(req.actor, 'group.members.write', { groupId: group.id, id: req.segment, method: 'post' });
  const memberId = await targetMember(req);
  await req.write((w) => groupMemberAdder(w, group, memberId, roleOf(req.edge)));
  return success;
}

async function removeMember(req: GraphRequest<GroupNode>) {
  const group = req.node.row;
  authorize(req.actor, 'group.members.write', { groupId: group.id, id: req.segment, method: 'delete' });
  const memberId = await targetMember(req);
  const role = roleOf(req.edge);
  await req.write(async (w) => {
    if (role === 'member') await groupMemberRemover(w, group, memberId);
    else await groupRoleRevoker(w, group, memberId, role);
  });
  return success;
}

/** POST /{group}/member_requests/{uid}: approves a pending request (the person joins as a member). */
async function approveRequest(req: GraphRequest<GroupNode>) {
  const group = req.node.row;
  authorize(req.actor, 'group.members.write', { groupId: group.id, id: req.segment, method: 'post' });
  const memberId = await targetMember(req);
  if (!(await findMemberRequest(req.ctx.db, group.id, memberId))) throw invalidParameter(`${memberId} has not asked to join this group`);
  await req.write((w) => groupMemberAdder(w, group, memberId, 'member'));
  return success;
}

/** DELETE /{group}/member_requests/{uid}: declines a pending request. */
async function declineRequest(req: GraphRequest<GroupNode>) {
  const group = req.node.row;
  authorize(req.actor, 'group.members.write', { groupId: group.id, id: req.segment, method: 'delete' });
  const memberId = await targetMember(req);
  await req.write((w) => memberRequestDecliner(w, group, memberId));
  return success;
}

async function postToGroup(req: GraphRequest<GroupNode>) {
  const group = req.node.row;
  authorize(req.actor, 'group.content.write', { groupId: group.id, id: req.segment, method: 'post' });
  if (group.archived) throw invalidParameter('The group is archived; nothing can be posted in it');
  const input = postInput(req);
  const post = await req.write((w) => postCreator(w, { ...input, feedId: group.id, feedType: 'group' }));
  return { id: postWireId(post) };
}

async function albumToGroup(req: GraphRequest<GroupNode>) {
  const group = req.node.row;
  authorize(req.actor, 'group.content.write', { groupId: group.id, id: req.segment, method: 'post' });
  if (group.archived) throw invalidParameter('The group is archived; nothing can be posted in it');
  const input = { name: req.params.string('name'), description: req.params.rawString('message') ?? req.params.rawString('description'), location: req.params.string('location') };
  const { album, post } = await req.write((w) => albumCreator(w, group, input));
  return { id: album.id, post_id: postWireId(post) };
}

async function docToGroup(req: GraphRequest<GroupNode>) {
  const group = req.node.row;
  authorize(req.actor, 'group.content.write', { groupId: group.id, id: req.segment, method: 'post' });
  if (group.archived) throw invalidParameter('The group is archived; nothing can be posted in it');
  const input = { title: req.params.rawString('title') ?? req.params.rawString('subject'), body: req.params.rawString('body') ?? req.params.rawString('message') };
  const { doc } = await req.write((w) => docCreator(w, group, input));
  return { id: doc.id };
}

/**
 * POST /{group}/videos: at once by `file_url` or an uploaded `source`, or resumably:
 * `upload_phase=start` (file_size) → transfer (upload_session_id, start_offset, video_file_chunk)
 * → finish (upload_session_id, title, description).
 */
async function videoToGroup(req: GraphRequest<GroupNode>) {
  const group = req.node.row;
  authorize(req.actor, 'group.content.write', { groupId: group.id, id: req.segment, method: 'post' });
  if (group.archived) throw invalidParameter('The group is archived; nothing can be posted in it');
  const phase = req.params.oneOf('upload_phase', ['start', 'transfer', 'finish', 'cancel'] as const);
  const title = req.params.rawString('title');
  const description = req.params.rawString('description') ?? req.params.rawString('message');
  if (!phase) {
    const source = req.params.values.source ?? req.params.values.file;
    const input = { id: newId(), fileUrl: req.params.string('file_url') ?? req.params.string('url'), file: isSpooledFile(source) ? source : undefined, title, description };
    const video = await removeOnFailure(req.ctx, input.file ? videoKeys(input.id) : [], () => req.write((w) => videoCreator(w, group, input)));
    return { id: video.id };
  }
  if (phase === 'start') {
    const fileSize = req.params.requireString('file_size');
    if (!/^\d{1,16}$/.test(fileSize)) throw invalidParameter('file_size must be the video\'s size in bytes');
    const { video, upload } = await req.write((w) => videoUploadStarter(w, group, { fileSize: Number(fileSize), limit: req.ctx.config.uploadLimits.video }));
    return { video_id: video.id, upload_session_id: upload.id, ...nextOffsets(upload) };
  }
  const upload = await findVideoUpload(req.ctx.db, req.params.requireString('upload_session_id'));
  const [video] = upload ? await findVideosByIds(req.ctx.db, [upload.video_id]) : [];
  if (!upload || !video || video.group_id !== group.id || upload.owner_id !== authorOf(req.actor).id) throw invalidParameter('Unknown upload_session_id');
  if (phase === 'transfer') {
    const chunk = req.params.values.video_file_chunk;
    if (!isSpooledFile(chunk)) throw invalidParameter('Send the chunk as a multipart/form-data part named video_file_chunk');
    const offset = req.params.requireString('start_offset');
    if (!/^\d{1,16}$/.test(offset)) throw invalidParameter('start_offset must be a byte offset');
    const key = chunkKey(upload.id, upload.chunks);
    const advanced = await removeOnFailure(req.ctx, [key], () => req.write((w) => videoChunkReceiver(w, upload, { startOffset: Number(offset), chunk })));
    return nextOffsets(advanced);
  }
  if (phase === 'cancel') {
    await req.write((w) => videoDeleter(w, video));
    return success;
  }
  if (upload.received !== upload.file_size) throw invalidParameter(`The upload has ${upload.received} of ${upload.file_size} bytes; send the rest before finishing`);
  const file = await assembleChunks(req, upload);
  try {
    await req.write((w) => videoUploadFinisher(w, group, upload, video, { file, title, description }));
  } finally {
    await fsp.rm(file, { force: true });
  }
  return success;
}

async function photoToGroup(req: GraphRequest<GroupNode>) {
  const group = req.node.row;
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

async function eventInGroup(req: GraphRequest<GroupNode>) {
  const group = req.node.row;
  authorize(req.actor, 'group.content.write', { groupId: group.id, id: req.segment, method: 'post' });
  const { is_canceled: _ignored, ...input } = eventInput(req.params, req.ctx.clock.now());
  const event = await req.write((w) => eventCreator(w, group, input));
  return { id: event.id };
}

/** Runs a write that follows a store write; when it fails, the stored bytes are removed again. */
async function removeOnFailure<T>(ctx: Context, keys: string[], write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    for (const key of keys) await ctx.media.delete(key).catch(() => undefined);
    throw error;
  }
}

const memberParams: readonly ParamDoc[] = [
  { name: 'member', description: 'Member id (also uid, or the third path segment)' },
  { name: 'email', description: 'Member email (needs read_user_email)' },
];

const membership = (edge: 'members' | 'admins' | 'moderators', added: string, removed: string): NodeRoute<GroupNode>[] => [
  { edge, method: 'POST', handler: addMember, subId: true, summary: added, params: memberParams },
  { edge, method: 'DELETE', handler: removeMember, subId: true, summary: removed, params: memberParams },
];

export const groupRoutes: readonly NodeRoute<GroupNode>[] = [
  { edge: null, method: 'POST', handler: updateGroup, summary: 'Update group settings', params: groupSettingParams },
  { edge: 'feed', method: 'POST', handler: postToGroup, summary: 'Post in the group', params: postParams },
  { edge: 'member_requests', method: 'POST', handler: approveRequest, subId: true, summary: 'Approve a request to join: the person becomes a member', params: memberParams },
  { edge: 'member_requests', method: 'DELETE', handler: declineRequest, subId: true, summary: 'Decline a request to join', params: memberParams },
  {
    edge: 'videos',
    method: 'POST',
    handler: videoToGroup,
    summary: 'Post a video: file_url or an uploaded source → {id}; or resumably with upload_phase=start|transfer|finish',
    params: [
      { name: 'file_url', description: 'An http(s) URL of the video, kept as given' },
      { name: 'source', description: 'The video, as a multipart/form-data part' },
      { name: 'title', description: 'Title' },
      { name: 'description', description: 'Description (also message); the post\'s text' },
      { name: 'upload_phase', description: 'start, transfer, finish (or cancel) for a resumable upload' },
      { name: 'file_size', description: 'start: the whole video\'s size in bytes', type: 'integer' },
      { name: 'upload_session_id', description: 'transfer, finish: the session start answered' },
      { name: 'start_offset', description: 'transfer: where this chunk starts (the last answer\'s start_offset)', type: 'integer' },
      { name: 'video_file_chunk', description: 'transfer: the bytes from start_offset to end_offset, as a multipart part' },
    ],
  },
  {
    edge: 'docs',
    method: 'POST',
    handler: docToGroup,
    summary: 'Create a doc in the group (HTML body, sanitized; shown by a post in the feed) → {id}',
    params: [
      { name: 'title', description: 'The doc\'s title (also subject)', required: true },
      { name: 'body', description: 'The doc as HTML (also message); scripts, styles and unknown tags are removed' },
    ],
  },
  {
    edge: 'albums',
    method: 'POST',
    handler: albumToGroup,
    summary: 'Create a photo album in the group (with the post that shows it) → {id, post_id}',
    params: [
      { name: 'name', description: 'The album\'s name', required: true },
      { name: 'message', description: 'Description (also description)' },
      { name: 'location', description: 'Where the photos were taken, as text' },
    ],
  },
  {
    edge: 'photos',
    method: 'POST',
    handler: photoToGroup,
    summary: 'Post a photo in the group → {id, post_id}',
    params: [
      { name: 'url', description: 'Photo URL' },
      { name: 'source', description: 'Uploaded file (multipart; also file)' },
      { name: 'message', description: 'Caption (also caption)' },
    ],
  },
  { edge: 'events', method: 'POST', handler: eventInGroup, summary: 'Create an event in the group → {id}', params: eventParams },
  ...membership('members', 'Add a member (adding twice changes nothing)', 'Remove a member (the last member deletes the group)'),
  ...membership('admins', 'Grant the admin role', 'Revoke the admin role (the membership stays)'),
  ...membership('moderators', 'Grant the moderator role', 'Revoke the moderator role'),
];
