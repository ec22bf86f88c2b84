import { findAppById, insertPage } from '../../db/repositories/app.js';
import type { HookSource } from '../../db/automationSchema.js';
import { findThreadById } from '../../db/repositories/chat.js';
import { findGroupById } from '../../db/repositories/group.js';
import { findHookById, insertHook, type IncomingHookRow, updateHook } from '../../db/repositories/incomingHook.js';
import { AppError, invalidParameter } from '../../errors.js';
import { newId } from '../../ids.js';
import type { IntegrationActor } from '../actor.js';
import { recordChange } from '../events.js';
import { newOpaqueToken, sha256Hex } from '../secrets.js';
import { loadThread, participantOf, participantsAdder } from './chat.js';
import type { Write } from './shared.js';

export const HOOK_SOURCES: readonly HookSource[] = ['slack', 'github', 'alertmanager'];
/** Requests per minute a hook accepts unless set otherwise (Slack allows about one per second). */
export const DEFAULT_HOOK_RATE = 60;
export const KEY_PREFIX = 'cphk_';

export interface HookInput {
  /** A group id, or a chat thread as `t_{id}`. */
  target: string;
  name?: string;
  /** The integration the hook posts as (its bot page). */
  appId?: string;
  source?: string;
  allowOverrides?: boolean;
  allowBroadcast?: boolean;
  ratePerMinute?: number;
}

/** What creating or rotating hands out once: the key (in the URL) and GitHub's signing secret. */
export interface IssuedHook {
  hook: IncomingHookRow;
  key: string;
  signingSecret?: string;
}

/** The path of a hook's URL; the key is its only secret. */
export const hookPath = (key: string) => `/hooks/${key}`;

function newKey(): string {
  return KEY_PREFIX + newOpaqueToken(32);
}

async function checkTarget(w: Write, target: string): Promise<{ type: 'group' | 'thread'; id: string }> {
  if (/^t_\d{1,20}$/.test(target)) {
    const id = target.slice(2);
    if (!(await findThreadById(w.trx, id))) throw invalidParameter(`Unknown chat thread ${target}`);
    return { type: 'thread', id };
  }
  const group = /^\d{1,20}$/.test(target) ? await findGroupById(w.trx, target) : undefined;
  if (!group) throw invalidParameter(`Unknown group ${target}`);
  if (group.archived) throw invalidParameter(`Group ${target} is archived`);
  return { type: 'group', id: group.id };
}

function checkName(name: string | undefined, fallback: string): string {
  const trimmed = (name ?? '').trim() || fallback;
  if (trimmed.length > 100) throw invalidParameter('A hook name has at most 100 characters');
  return trimmed;
}

function checkRate(rate: number | undefined): number {
  if (rate === undefined) return DEFAULT_HOOK_RATE;
  if (!Number.isInteger(rate) || rate < 1 || rate > 6000) throw invalidParameter('rate_per_minute must be an integer from 1 to 6000');
  return rate;
}

/**
 * Creates an incoming webhook for a group or a group chat thread. Posts appear as the
 * integration's bot page, or, with a name of its own or no integration, as the hook's own page.
 * The key (and for GitHub the signing secret) is returned once and stored only hashed (sealed).
 */
export async function hookCreator(w: Write, input: HookInput): Promise<IssuedHook> {
  const { ctx, actor, trx } = w;
  const source = (input.source ?? 'slack') as HookSource;
  if (!HOOK_SOURCES.includes(source)) throw invalidParameter(`source must be one of ${HOOK_SOURCES.join(', ')}`);
  const target = await checkTarget(w, input.target);
  const app = input.appId ? await findAppById(trx, input.appId) : undefined;
  if (input.appId && !app) throw invalidParameter(`Unknown integration ${input.appId}`);
  const name = checkName(input.name, app?.name ?? 'Incoming webhook');
  const id = newId();
  const now = ctx.clock.now();
  let pageId = app?.page_id;
  if (!app || (input.name && input.name.trim() !== app.name)) {
    pageId = newId();
    await insertPage(trx, { id: pageId, app_id: app?.id ?? id, name, picture_media_id: null, created_time: now });
  }
  const key = newKey();
  const signingSecret = source === 'github' ? newOpaqueToken(24) : undefined;
  const row: IncomingHookRow = {
    id,
    name,
    source,
    target_type: target.type,
    target_id: target.id,
    app_id: app?.id ?? null,
    page_id: pageId!,
    key_hash: sha256Hex(key),
    key_hint: key.slice(-4),
    signing_secret_sealed: signingSecret ? ctx.secrets.seal(signingSecret) : null,
    allow_overrides: input.allowOverrides ? 1 : 0,
    allow_broadcast: input.allowBroadcast ? 1 : 0,
    rate_per_minute: checkRate(input.ratePerMinute),
    rate_window_start: 0,
    rate_window_count: 0,
    revoked_time: null,
    post_count: 0,
    error_count: 0,
    last_used_time: null,
    created_by: actor.kind === 'member' ? actor.memberId : actor.kind === 'integration' || actor.kind === 'app' ? actor.appId : null,
    created_time: now,
    updated_time: now,
  };
  await insertHook(trx, row);
  if (target.type === 'thread') await joinThread(w, target.id, pageId!, name);
  await recordChange(trx, ctx, actor, {
    action: 'hook.created',
    target: { type: 'incoming_hook', id },
    new: { name, source, target_type: target.type, target_id: target.id, app_id: row.app_id, allow_overrides: !!input.allowOverrides, allow_broadcast: !!input.allowBroadcast, rate_per_minute: row.rate_per_minute },
  });
  return { hook: row, key, signingSecret };
}

/** A thread hook's page must be in the thread to write there. */
async function joinThread(w: Write, threadId: string, pageId: string, name: string): Promise<void> {
  const state = await loadThread(w.trx, threadId);
  if (!state) throw invalidParameter(`Unknown chat thread t_${threadId}`);
  if (participantOf(state, pageId)) return;
  if (state.thread.kind !== 'group') throw invalidParameter('Incoming webhooks post into group chat threads; this is a one-to-one thread');
  const page = { id: pageId, type: 'page' as const, name };
  await participantsAdder(w, state, page, [page]);
}

export interface HookChanges {
  name?: string;
  allowOverrides?: boolean;
  allowBroadcast?: boolean;
  ratePerMinute?: number;
}

/** Changes a hook's name, overrides, audiences or rate limit. Returns false when nothing changed. */
export async function hookUpdater({ ctx, actor, trx }: Write, hook: IncomingHookRow, input: HookChanges): Promise<boolean> {
  if (hook.revoked_time) throw new AppError('conflict', '(#100) The hook was revoked');
  const changes: Partial<IncomingHookRow> = {};
  if (input.name !== undefined && checkName(input.name, hook.name) !== hook.name) changes.name = checkName(input.name, hook.name);
  if (input.allowOverrides !== undefined && (input.allowOverrides ? 1 : 0) !== hook.allow_overrides) changes.allow_overrides = input.allowOverrides ? 1 : 0;
  if (input.allowBroadcast !== undefined && (input.allowBroadcast ? 1 : 0) !== hook.allow_broadcast) changes.allow_broadcast = input.allowBroadcast ? 1 : 0;
  if (input.ratePerMinute !== undefined && checkRate(input.ratePerMinute) !== hook.rate_per_minute) changes.rate_per_minute = input.ratePerMinute;
  if (Object.keys(changes).length === 0) return false;
  await updateHook(trx, hook.id, { ...changes, updated_time: ctx.clock.now() });
  const old = Object.fromEntries(Object.keys(changes).map((k) => [k, hook[k as keyof IncomingHookRow]]));
  await recordChange(trx, ctx, actor, { action: 'hook.updated', target: { type: 'incoming_hook', id: hook.id }, old, new: changes });
  return true;
}

/** Issues a new key (and GitHub secret); the old URL stops working at once. */
export async function hookKeyRotator({ ctx, actor, trx }: Write, hook: IncomingHookRow): Promise<IssuedHook> {
  if (hook.revoked_time) throw new AppError('conflict', '(#100) The hook was revoked');
  const key = newKey();
  const signingSecret = hook.source === 'github' ? newOpaqueToken(24) : undefined;
  const changes = { key_hash: sha256Hex(key), key_hint: key.slice(-4), signing_secret_sealed: signingSecret ? ctx.secrets.seal(signingSecret) : null, updated_time: ctx.clock.now() };
  await updateHook(trx, hook.id, changes);
  await recordChange(trx, ctx, actor, { action: 'hook.key_rotated', target: { type: 'incoming_hook', id: hook.id }, new: { key_hint: changes.key_hint } });
  return { hook: { ...hook, ...changes }, key, signingSecret };
}

/** Revokes a hook for good: its URL answers `no_service`; its log and counts stay. */
export async function hookRevoker({ ctx, actor, trx }: Write, hook: IncomingHookRow): Promise<boolean> {
  if (hook.revoked_time) return false;
  const now = ctx.clock.now();
  await updateHook(trx, hook.id, { revoked_time: now, updated_time: now });
  await recordChange(trx, ctx, actor, { action: 'hook.revoked', target: { type: 'incoming_hook', id: hook.id }, old: { name: hook.name, target_id: hook.target_id } });
  return true;
}

/** The actor a hook writes as: its bot page, audited under its integration or the hook itself. */
export function hookActor(hook: Pick<IncomingHookRow, 'id' | 'app_id' | 'name' | 'target_id'>, pageId: string, name: string): IntegrationActor {
  return { kind: 'integration', appId: hook.app_id ?? hook.id, pageId, name, permissions: new Set(), scopeAll: false, groupIds: new Set([hook.target_id]), autoInvite: false };
}

export async function requireHook(trx: Write['trx'], id: string): Promise<IncomingHookRow> {
  const hook = /^\d{1,20}$/.test(id) ? await findHookById(trx, id) : undefined;
  if (!hook) throw new AppError('unknown_object', `No incoming webhook with id ${id}`);
  return hook;
}
