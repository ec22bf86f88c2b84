import { randomInt } from 'node:crypto';
import type { Context } from '../../context.js';
import { type Db, lockKey } from '../../db/database.js';
import {
  countActiveMembers,
  countDeactivationsBy,
  deleteAccountRows,
  deleteInvite,
  findIdentifierHolders,
  findInviteByHash,
  insertAccount,
  insertMail,
  managerChain,
  replaceInvite,
  replaceMemberEmails,
  updateAccount,
} from '../../db/repositories/account.js';
import { findCommunity } from '../../db/repositories/community.js';
import { findMediaByIds, insertMedia } from '../../db/repositories/media.js';
import { countAdmins, findMemberById, type MemberRow } from '../../db/repositories/member.js';
import { deleteSessionsOfMember } from '../../db/repositories/session.js';
import { AppError, invalidParameter } from '../../errors.js';
import { newId } from '../../ids.js';
import { type MultiValue, addressLine, currentList, primaryOf, withPrimary } from '../accountAttributes.js';
import type { Actor } from '../actor.js';
import { type Change, recordChange } from '../events.js';
import { hashPassword, newOpaqueToken, sha256Hex } from '../secrets.js';
import { sniffImage, storeMediaFile } from '../media.js';
import { normalizePicture } from '../picture.js';
import { membershipRulesFollowProfile } from './membershipRule.js';
import { remoteFile, type Write } from './shared.js';
import { splitName } from './member.js';

// The account lifecycle (provisioned → invited → claimed → deactivated, and back), shared by
// the SCIM surface and Graph account management. `undefined` in AccountFields leaves a value
// as it is; `null` clears it.

export interface AccountName {
  formatted?: string | null;
  givenName?: string | null;
  familyName?: string | null;
  middleName?: string | null;
  honorificPrefix?: string | null;
  honorificSuffix?: string | null;
}

/** What a provisioning client may set on an account, in SCIM's vocabulary. */
export interface AccountFields {
  /** The login: an email address (Graph `email`), or another unique name when `emails` carries the address. */
  userName?: string | null;
  externalId?: string | null;
  name?: AccountName;
  displayName?: string | null;
  nickName?: string | null;
  profileUrl?: string | null;
  userType?: string | null;
  title?: string | null;
  preferredLanguage?: string | null;
  locale?: string | null;
  timezone?: string | null;
  emails?: MultiValue[] | null;
  phoneNumbers?: MultiValue[] | null;
  addresses?: MultiValue[] | null;
  photos?: MultiValue[] | null;
  /** Graph `primary_phone`: replaces the primary phone number. */
  primaryPhone?: string | null;
  /** Graph `primary_address`: replaces the primary address. */
  primaryAddress?: string | null;
  employeeNumber?: string | null;
  costCenter?: string | null;
  organization?: string | null;
  division?: string | null;
  department?: string | null;
  managerId?: string | null;
  /** Epoch seconds; 0 and null clear. */
  startDate?: number | null;
  termDate?: number | null;
  authMethod?: 'password' | 'sso' | null;
  isFrontline?: boolean;
  /** false deactivates, true reactivates. */
  active?: boolean;
  /** true invites a provisioned account; false and repeats change nothing. */
  invited?: boolean;
}

/**
 * How strict identifiers are. `workplace` (the default; `/scim/`, `/scim/v1/`, Graph, admin
 * panel): externalId is unique, a userName with "@" must be an email address, and without an
 * email userName the primary `emails` entry is the login email; emails must be addresses.
 * `rfc7643` (`/scim/v2/`): externalId may be shared, userName is any non-empty string (one that
 * is not an email address makes an email-less account), `emails` values are stored as given.
 */
export type IdentifierRules = 'workplace' | 'rfc7643';

export interface AccountOptions {
  /** Trusted base URL for claim links in invitation mail (see http/links.ts); null refuses invitations. */
  linkBase: string | null;
  rules?: IdentifierRules;
}

/** Invitations (claim link and access code) stay valid this long. */
export const INVITE_MS = 30 * 24 * 3_600_000;
export const GUARD_WINDOW_MS = 3_600_000;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

const clean = (v: string | null | undefined): string | null | undefined => (v === undefined ? undefined : v === null || v.trim() === '' ? null : v);
const isEmail = (v: string | null | undefined): v is string => !!v && EMAIL.test(v);

function checkList(name: string, list: MultiValue[] | null | undefined, valueKey: string | null): MultiValue[] | undefined {
  if (list === undefined) return undefined;
  if (list === null) return [];
  if (!Array.isArray(list)) throw invalidParameter(`${name} must be a list`);
  return list.map((entry, i) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw invalidParameter(`${name}[${i}] must be an object`);
    if (valueKey && (typeof entry[valueKey] !== 'string' || !(entry[valueKey] as string).trim())) throw invalidParameter(`${name}[${i}].${valueKey} must be a non-empty string`);
    if (entry.primary !== undefined && typeof entry.primary !== 'boolean') throw invalidParameter(`${name}[${i}].primary must be true or false`);
    return entry;
  });
}

/** The login email an account gets from its userName and emails. */
function loginEmail(userName: string | null, emails: readonly MultiValue[], rules: IdentifierRules): string | null {
  if (isEmail(userName)) return userName;
  if (rules === 'rfc7643') return null;
  const primary = emails.find((e) => e.primary === true && isEmail(e.value as string));
  const any = primary ?? emails.find((e) => isEmail(e.value as string));
  return any ? (any.value as string) : null;
}

const seconds = (name: string, v: number | null | undefined): number | null | undefined => {
  if (v === undefined) return undefined;
  if (v === null || v === 0) return null;
  if (!Number.isFinite(v) || v < 0) throw invalidParameter(`${name} must be epoch seconds`);
  return Math.round(v * 1000);
};

interface Plan {
  /** Column values that differ from the current row (every column for a new account). */
  columns: Partial<MemberRow>;
  emails?: MultiValue[];
  photoUrl?: string | null;
}

/** Works out the member columns an AccountFields change means. Pure: no database. */
function planAccount(current: MemberRow | undefined, f: AccountFields, rules: IdentifierRules): Plan {
  const cur = current;
  const rfc = rules === 'rfc7643';
  const userName = f.userName !== undefined ? clean(f.userName) ?? null : cur ? (cur.user_name ?? cur.email) : null;
  const externalId = f.externalId !== undefined ? clean(f.externalId) ?? null : cur?.external_id ?? null;
  if (rfc && !userName && (!cur || f.userName !== undefined)) throw invalidParameter('userName is required and must be a non-empty string');
  if (!userName && !externalId) throw invalidParameter('An account needs a userName (its email) or an externalId');
  if (!rfc && userName?.includes('@') && !isEmail(userName)) throw invalidParameter(`userName "${userName}" is not an email address`);
  if (userName && userName.length > 320) throw invalidParameter('userName is longer than 320 characters');

  const emails = checkList('emails', f.emails, 'value');
  if (!rfc) for (const entry of emails ?? []) if (!isEmail(entry.value as string)) throw invalidParameter(`"${entry.value as string}" is not an email address`);
  let phones = checkList('phoneNumbers', f.phoneNumbers, 'value');
  let addresses = checkList('addresses', f.addresses, null);
  const photos = checkList('photos', f.photos, 'value');
  if (phones === undefined && f.primaryPhone !== undefined) phones = withPrimary(cur ? currentList(cur, 'phoneNumbers') : [], clean(f.primaryPhone) ? { value: f.primaryPhone } : null);
  if (addresses === undefined && f.primaryAddress !== undefined) addresses = withPrimary(cur ? currentList(cur, 'addresses') : [], clean(f.primaryAddress) ? { formatted: f.primaryAddress } : null);

  const unchangedList = (list: MultiValue[] | undefined, name: 'emails' | 'phoneNumbers' | 'addresses' | 'photos') =>
    list !== undefined && cur && JSON.stringify(list) === JSON.stringify(currentList(cur, name)) ? undefined : list;
  const listEmails = unchangedList(emails, 'emails');
  phones = unchangedList(phones, 'phoneNumbers');
  addresses = unchangedList(addresses, 'addresses');
  const listPhotos = unchangedList(photos, 'photos');
  const userNameChanged = !cur || (f.userName !== undefined && userName !== (cur.user_name ?? cur.email));

  const next: Partial<MemberRow> = {};
  if (userNameChanged) {
    next.user_name = userName;
    next.user_name_lower = userName?.toLowerCase() ?? null;
  }
  if (userNameChanged || listEmails !== undefined) {
    const email = loginEmail(userName, listEmails ?? (cur ? currentList(cur, 'emails') : []), rules);
    next.email = email;
    next.email_lower = email?.toLowerCase() ?? null;
  }
  if (f.externalId !== undefined || !cur) next.external_id = externalId;

  const n = f.name ?? {};
  const given = n.givenName !== undefined ? clean(n.givenName) ?? '' : undefined;
  const family = n.familyName !== undefined ? clean(n.familyName) ?? '' : undefined;
  let first = given ?? cur?.first_name ?? '';
  let last = family ?? cur?.last_name ?? '';
  // displayName shows name.formatted until one is set: echoing that default back sets nothing.
  const echoed = cur && f.displayName !== undefined && f.displayName === (cur.display_name ?? cur.name);
  const displayName = f.displayName !== undefined && !echoed ? clean(f.displayName) ?? null : cur?.display_name ?? null;
  let formatted = n.formatted !== undefined ? clean(n.formatted) ?? null : undefined;
  if (formatted === undefined && (given !== undefined || family !== undefined)) formatted = [first, last].filter(Boolean).join(' ') || null;
  let name = formatted ?? (formatted === undefined && cur ? cur.name : null);
  if (!name) name = [first, last].filter(Boolean).join(' ') || displayName || userName?.split('@')[0] || externalId!;
  if (!cur && !first && !last) ({ first, last } = splitName(name));
  if (name.length > 500) throw invalidParameter('name.formatted is longer than 500 characters');
  Object.assign(next, { name, first_name: first, last_name: last });
  if ((f.displayName !== undefined && !echoed) || !cur) next.display_name = displayName;

  const texts: [keyof AccountFields | `name.${keyof AccountName}`, keyof MemberRow][] = [
    ['name.middleName', 'middle_name'],
    ['name.honorificPrefix', 'honorific_prefix'],
    ['name.honorificSuffix', 'honorific_suffix'],
    ['nickName', 'nick_name'],
    ['profileUrl', 'profile_url'],
    ['userType', 'user_type'],
    ['title', 'title'],
    ['preferredLanguage', 'preferred_language'],
    ['locale', 'locale'],
    ['timezone', 'timezone'],
    ['employeeNumber', 'employee_number'],
    ['costCenter', 'cost_center'],
    ['organization', 'organization'],
    ['division', 'division'],
    ['department', 'department'],
    ['managerId', 'manager_id'],
  ];
  for (const [field, col] of texts) {
    const value = field.startsWith('name.') ? n[field.slice(5) as keyof AccountName] : (f[field as keyof AccountFields] as string | null | undefined);
    if (value !== undefined && value !== null && typeof value !== 'string') throw invalidParameter(`${field} must be a string`);
    if (value !== undefined || !cur) (next as Record<string, unknown>)[col] = clean(value) ?? null;
  }
  if (f.authMethod !== undefined && f.authMethod !== null && f.authMethod !== 'password' && f.authMethod !== 'sso') throw invalidParameter('authMethod must be password or sso');
  if (f.authMethod !== undefined || !cur) next.auth_method = f.authMethod ?? null;
  if (f.isFrontline !== undefined || !cur) next.is_frontline = f.isFrontline ? 1 : 0;
  const start = seconds('startDate', f.startDate);
  const term = seconds('termDate', f.termDate);
  if (start !== undefined || !cur) next.start_time = start ?? null;
  if (term !== undefined || !cur) next.term_time = term ?? null;
  if (listEmails !== undefined) next.emails_json = JSON.stringify(listEmails);
  if (phones !== undefined) {
    next.phone_numbers_json = JSON.stringify(phones);
    next.primary_phone = (primaryOf(phones)?.value as string | undefined) ?? null;
  }
  if (addresses !== undefined) {
    next.addresses_json = JSON.stringify(addresses);
    next.primary_address = addressLine(primaryOf(addresses));
  }
  let photoUrl: string | null | undefined;
  if (listPhotos !== undefined) {
    next.photos_json = JSON.stringify(listPhotos);
    photoUrl = (primaryOf(listPhotos)?.value as string | undefined) ?? null;
    if (photoUrl && !/^https?:\/\/\S+$/i.test(photoUrl)) throw invalidParameter(`photos value "${photoUrl}" is not an http(s) URL`);
  }

  if (!cur) return { columns: next, emails: listEmails, photoUrl };
  const changed: Partial<MemberRow> = {};
  for (const [key, value] of Object.entries(next) as [keyof MemberRow, unknown][]) {
    if ((cur[key] ?? null) !== value) (changed as Record<string, unknown>)[key] = value;
  }
  return { columns: changed, emails: listEmails, photoUrl };
}

const visible = (row: Partial<MemberRow>) => {
  const { password_hash: _hidden, email_lower: _e, user_name_lower: _u, ...rest } = row;
  return rest;
};

/** The error that names the account already holding an identifier (safe retries). */
function conflictError(holder: { field: string; id: string }, value: string | null | undefined): AppError {
  const label = holder.field === 'externalId' ? 'externalId' : holder.field === 'email' ? 'email' : 'userName';
  return new AppError('conflict', `(#100) ${label} "${value ?? ''}" is already used by account ${holder.id}`, { existingId: holder.id, field: label });
}

async function checkIdentifiers(trx: Db, columns: Partial<MemberRow>, rules: IdentifierRules, exceptId?: string): Promise<void> {
  const externalId = rules === 'workplace' ? columns.external_id : undefined;
  // The database keeps externalId unique no more (RFC 7643), so Workplace's rule is a locked check.
  if (externalId) await lockKey(trx, `member.external_id:${externalId}`);
  const holders = await findIdentifierHolders(trx, { userNameLower: columns.user_name_lower, emailLower: columns.email_lower, externalId }, exceptId);
  if (holders.length === 0) return;
  const h = holders[0];
  throw conflictError(h, h.field === 'externalId' ? columns.external_id : h.field === 'email' ? columns.email : columns.user_name);
}

async function checkManager(trx: Db, memberId: string | undefined, managerId: string | null | undefined): Promise<void> {
  if (!managerId) return;
  if (memberId && managerId === memberId) throw invalidParameter(`An account cannot be its own manager (${managerId})`);
  const manager = /^\d{1,20}$/.test(managerId) ? await findMemberById(trx, managerId) : undefined;
  if (!manager) throw invalidParameter(`The manager ${managerId} is not an account in this community`);
  if (!memberId) return;
  const chain = await managerChain(trx, managerId);
  const at = chain.indexOf(memberId);
  if (at >= 0) {
    const loop = [memberId, managerId, ...chain.slice(0, at + 1)];
    throw invalidParameter(`Making ${managerId} the manager of ${memberId} would create a cycle: ${loop.join(' → ')}`);
  }
}

/** The account's picture from SCIM `photos`: fetched once and stored (the URL kept as its source); unchanged when the URL is. */
async function setPicture(w: Write, member: Pick<MemberRow, 'id' | 'picture_media_id'>, url: string | null): Promise<Partial<MemberRow>> {
  const { ctx, trx } = w;
  const [current] = member.picture_media_id ? await findMediaByIds(trx, [member.picture_media_id]) : [];
  if (url === null) return current?.source_url ? { picture_media_id: null } : {};
  if (current?.source_url === url) return {};
  const data = await normalizePicture((await remoteFile(w, url, 'image')).data);
  const kind = sniffImage(data)!;
  const id = newId();
  const fileName = await storeMediaFile(ctx.media, id, kind.ext, data, kind.mime);
  await insertMedia(trx, { id, owner_id: member.id, owner_type: 'member', kind: 'photo', source_url: url, file_name: fileName, mime_type: kind.mime, size: data.length, caption: null, published: 0, group_id: null, created_time: ctx.clock.now() });
  return { picture_media_id: id };
}

const emailRows = (emails: readonly MultiValue[]) =>
  emails.map((entry, position) => ({
    position,
    value: entry.value as string,
    value_lower: (entry.value as string).toLowerCase(),
    type: typeof entry.type === 'string' ? entry.type : null,
    is_primary: entry.primary === true ? (1 as const) : (0 as const),
  }));

/** A code people can type: 10 characters without look-alikes (no I, O, 0, 1). */
function newAccessCode(): string {
  let code = '';
  for (let i = 0; i < 10; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

const normalizeCode = (code: string) => code.toUpperCase().replace(/[\s-]/g, '');

/** Claim links are `{base}/claim/{token}`; the member app answers them. */
export function claimLink(publicBase: string, token: string): string {
  return `${publicBase}/claim/${token}`;
}

/** Invites a provisioned account: a claim link and access code, and mail when it has an address. */
async function invite({ ctx, actor, trx }: Write, member: MemberRow, links: AccountOptions): Promise<MemberRow> {
  const base = links.linkBase;
  if (base === null) throw new AppError('public_url_required');
  const now = ctx.clock.now();
  const token = newOpaqueToken(24);
  const code = newAccessCode();
  await replaceInvite(trx, {
    member_id: member.id,
    token_hash: sha256Hex(token),
    token_sealed: ctx.secrets.seal(token),
    access_code_hash: sha256Hex(code),
    access_code_sealed: ctx.secrets.seal(code),
    created_time: now,
    expires_time: now + INVITE_MS,
  });
  const changes = { state: 'invited' as const, invited_time: now, updated_time: Math.max(now, member.updated_time + 1) };
  await updateAccount(trx, member.id, changes);
  let mailId: string | null = null;
  if (member.email) {
    const community = await findCommunity(trx);
    const place = community?.name ?? 'Commonplace';
    const link = claimLink(base, token);
    mailId = newId();
    await insertMail(trx, {
      id: mailId,
      kind: 'invite',
      member_id: member.id,
      to_address: member.email,
      subject: `You're invited to join ${place}`,
      body: [
        `Hello ${member.name},`,
        '',
        `${place} has set up an account for you. Claim it here:`,
        '',
        link,
        '',
        `Or open ${base}/claim and enter the access code ${code}.`,
        '',
        `This invitation is valid until ${new Date(now + INVITE_MS).toISOString().slice(0, 10)}.`,
      ].join('\n'),
      created_time: now,
      sent_time: null,
    });
  }
  await recordChange(trx, ctx, actor, {
    action: 'account.invited',
    target: { type: 'member', id: member.id },
    old: { state: member.state, invited_time: member.invited_time },
    new: { state: 'invited', invited_time: now, mail_id: mailId },
  });
  return { ...member, ...changes };
}

/**
 * Whether the actor's integration invites everyone it creates: the setting travels with its
 * credentials, which every change to the integration drops from the cache (graph/auth.ts).
 */
const autoInvites = (actor: Actor): boolean => (actor.kind === 'integration' || actor.kind === 'app') && actor.autoInvite;

/** Thrown when the mass-deactivation guard refuses; carries the audit event to keep. */
export class DeactivationRefused extends AppError {
  constructor(
    message: string,
    readonly change: Change,
  ) {
    super('deactivation_limit', message);
  }
}

/**
 * The mass-deactivation guard: one integration may deactivate at most the configured share of
 * active members (never fewer than the configured minimum) per rolling hour.
 */
async function checkDeactivationGuard({ ctx, actor, trx }: Write, member: MemberRow): Promise<void> {
  if (actor.kind !== 'integration' && actor.kind !== 'app') return;
  const percent = ctx.config.deactivationGuardPercent;
  if (percent <= 0) return;
  const now = ctx.clock.now();
  const recent = await countDeactivationsBy(trx, actor.appId, now - GUARD_WINDOW_MS);
  const base = (await countActiveMembers(trx)) + recent;
  const limit = Math.max(ctx.config.deactivationGuardMinimum, Math.floor((base * percent) / 100));
  if (recent < limit) return;
  const detail = {
    limit,
    deactivated_last_hour: recent,
    active_members: base - recent,
    percent,
    minimum: ctx.config.deactivationGuardMinimum,
  };
  throw new DeactivationRefused(
    `(#368) Refused: integration ${actor.appId} already deactivated ${recent} accounts in the last hour, its limit (${percent}% of active members, at least ${ctx.config.deactivationGuardMinimum}). ` +
      'A system admin can deactivate more from the admin panel, or raise COMMONPLACE_DEACTIVATION_GUARD_PERCENT.',
    { action: 'account.deactivation_refused', target: { type: 'member', id: member.id }, new: detail },
  );
}

/**
 * Runs an account write and, when the mass-deactivation guard refuses it, records the refusal
 * in an audit event of its own (the write's transaction is rolled back) before rethrowing.
 */
export async function withAccountGuard<T>(ctx: Context, actor: Actor, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DeactivationRefused) {
      await ctx.db.transaction().execute((trx) => recordChange(trx, ctx, actor, error.change));
    }
    throw error;
  }
}

async function deactivate(w: Write, member: MemberRow): Promise<MemberRow> {
  const { ctx, actor, trx } = w;
  await checkDeactivationGuard(w, member);
  if (member.is_admin === 1 && (await countAdmins(trx)) <= 1) {
    throw new AppError('conflict', `(#100) Account ${member.id} is the last active system admin; make another admin first`);
  }
  const now = ctx.clock.now();
  const changes = { state: 'deactivated' as const, deactivated_time: now, updated_time: Math.max(now, member.updated_time + 1) };
  await updateAccount(trx, member.id, changes);
  await deleteSessionsOfMember(trx, member.id);
  await recordChange(trx, ctx, actor, {
    action: 'account.deactivated',
    target: { type: 'member', id: member.id },
    old: { state: member.state, active: true },
    new: { state: 'deactivated', active: false, deactivated_time: now },
  });
  return { ...member, ...changes };
}

async function reactivate({ ctx, actor, trx }: Write, member: MemberRow): Promise<MemberRow> {
  const now = ctx.clock.now();
  const state = member.claimed_time !== null ? ('claimed' as const) : member.invited_time !== null ? ('invited' as const) : ('provisioned' as const);
  const changes = { state, deactivated_time: null, updated_time: Math.max(now, member.updated_time + 1) };
  await updateAccount(trx, member.id, changes);
  await recordChange(trx, ctx, actor, {
    action: 'account.reactivated',
    target: { type: 'member', id: member.id },
    old: { state: 'deactivated', active: false, deactivated_time: member.deactivated_time },
    new: { state, active: true },
  });
  return { ...member, ...changes };
}

/** Creates an account (SCIM POST /Users, Graph POST /community/accounts). */
export async function userProvisioner(w: Write, f: AccountFields, options: AccountOptions): Promise<MemberRow> {
  const { ctx, actor, trx } = w;
  const rules = options.rules ?? 'workplace';
  const plan = planAccount(undefined, f, rules);
  await checkIdentifiers(trx, plan.columns, rules);
  await checkManager(trx, undefined, plan.columns.manager_id);
  const now = ctx.clock.now();
  const inactive = f.active === false;
  let row: MemberRow = {
    ...(plan.columns as MemberRow),
    id: newId(),
    picture_media_id: null,
    state: inactive ? 'deactivated' : 'provisioned',
    invited_time: null,
    claimed_time: null,
    deactivated_time: inactive ? now : null,
    is_admin: 0,
    password_hash: null,
    created_time: now,
    updated_time: now,
  };
  if (!(await insertAccount(trx, row))) {
    await checkIdentifiers(trx, plan.columns, rules);
    throw new AppError('conflict', '(#100) An account with this userName or email was created at the same time');
  }
  if (plan.emails?.length) await replaceMemberEmails(trx, row.id, emailRows(plan.emails), true);
  if (plan.photoUrl) {
    const picture = await setPicture(w, row, plan.photoUrl);
    await updateAccount(trx, row.id, picture);
    row = { ...row, ...picture };
  }
  await recordChange(trx, ctx, actor, { action: 'account.provisioned', target: { type: 'member', id: row.id }, new: visible(row) });
  if (!inactive && (f.invited === true || !row.email || autoInvites(actor))) row = await invite(w, row, options);
  await membershipRulesFollowProfile(w, row.id);
  return row;
}

/**
 * Changes an account: profile fields (one `account.updated` event with old and new values),
 * `active` (deactivate / reactivate) and `invited`. Returns the new row and whether anything changed.
 */
export async function accountUpdater(w: Write, member: MemberRow, f: AccountFields, options: AccountOptions): Promise<{ member: MemberRow; changed: boolean }> {
  const { ctx, actor, trx } = w;
  const rules = options.rules ?? 'workplace';
  const plan = planAccount(member, f, rules);
  let row = member;
  let changed = false;
  if (f.active === true && row.state === 'deactivated') {
    row = await reactivate(w, row);
    changed = true;
  }
  const columns = { ...plan.columns };
  if (plan.photoUrl !== undefined) Object.assign(columns, await setPicture(w, row, plan.photoUrl));
  if (Object.keys(columns).length) {
    await checkIdentifiers(trx, columns, rules, row.id);
    if ('manager_id' in columns) await checkManager(trx, row.id, columns.manager_id);
    const now = ctx.clock.now();
    const updated = { ...columns, updated_time: Math.max(now, row.updated_time + 1) };
    await updateAccount(trx, row.id, updated);
    if (plan.emails !== undefined) await replaceMemberEmails(trx, row.id, emailRows(plan.emails));
    const old = Object.fromEntries(Object.keys(columns).map((k) => [k, row[k as keyof MemberRow] ?? null]));
    await recordChange(trx, ctx, actor, { action: 'account.updated', target: { type: 'member', id: row.id }, old: visible(old), new: visible(columns), targetEmail: columns.email !== undefined ? columns.email : row.email });
    row = { ...row, ...updated };
    changed = true;
  }
  if (f.invited === true && row.state === 'provisioned') {
    row = await invite(w, row, options);
    changed = true;
  }
  if (f.active === false && row.state !== 'deactivated') {
    row = await deactivate(w, row);
    changed = true;
  }
  if (changed) await membershipRulesFollowProfile(w, row.id);
  return { member: row, changed };
}

/** Deletes an account that was never claimed; claimed accounts are deactivated instead (412). */
export async function accountDeleter({ ctx, actor, trx }: Write, member: MemberRow): Promise<void> {
  if (member.claimed_time !== null) {
    throw new AppError('precondition_failed', `(#100) Account ${member.id} has been claimed and cannot be deleted; deactivate it instead (active=false)`);
  }
  await deleteAccountRows(trx, member.id, ctx.clock.now());
  await recordChange(trx, ctx, actor, { action: 'account.deleted', target: { type: 'member', id: member.id }, old: visible(member) });
}

/** Ends every session of the member (Graph POST /{id}/logout). */
export async function accountLogout({ ctx, actor, trx }: Write, member: MemberRow): Promise<void> {
  await deleteSessionsOfMember(trx, member.id);
  await recordChange(trx, ctx, actor, { action: 'account.logged_out', target: { type: 'member', id: member.id } });
}

/** The claim link and access code of an invited account, opened for presentation. */
export function openInvite(ctx: Pick<Context, 'secrets'>, invite: { token_sealed: string; access_code_sealed: string }): { token: string; accessCode: string } {
  return { token: ctx.secrets.open(invite.token_sealed), accessCode: ctx.secrets.open(invite.access_code_sealed) };
}

/**
 * Claims an invited account with its claim-link token or access code: sets the password (not
 * needed for SSO accounts) and makes the account claimed. Used by the member app.
 */
export async function accountClaimer({ ctx, trx }: Write, input: { secret: string; password?: string }): Promise<MemberRow> {
  const refused = () => new AppError('invalid_parameter', '(#100) This invitation is not valid: it was used, replaced or has expired');
  const secret = input.secret.trim();
  const found = (await findInviteByHash(trx, sha256Hex(secret))) ?? (await findInviteByHash(trx, sha256Hex(normalizeCode(secret))));
  const now = ctx.clock.now();
  if (!found || found.expires_time < now) throw refused();
  const member = await findMemberById(trx, found.member_id);
  if (!member || member.state !== 'invited') throw refused();
  if (member.auth_method !== 'sso' && (!input.password || input.password.length < 8)) throw invalidParameter('Choose a password of at least 8 characters');
  const changes = {
    state: 'claimed' as const,
    claimed_time: now,
    password_hash: input.password ? await hashPassword(input.password) : member.password_hash,
    updated_time: Math.max(now, member.updated_time + 1),
  };
  await updateAccount(trx, member.id, changes);
  await deleteInvite(trx, member.id);
  await recordChange(trx, ctx, { kind: 'member', memberId: member.id, isAdmin: false }, {
    action: 'account.claimed',
    target: { type: 'member', id: member.id },
    old: { state: 'invited' },
    new: { state: 'claimed', claimed_time: now },
  });
  return { ...member, ...changes };
}
