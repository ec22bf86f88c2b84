import { findMemberByEmail, findMemberById, insertMember, type MemberRow } from '../../db/repositories/member.js';
import { isUniqueViolation } from '../../db/database.js';
import { AppError, invalidParameter } from '../../errors.js';
import { newId } from '../../ids.js';
import { recordChange } from '../events.js';
import { hashPassword } from '../secrets.js';
import type { Write } from './shared.js';

export interface MemberInput {
  email?: string;
  first_name?: string;
  last_name?: string;
  name?: string;
  title?: string;
  department?: string;
  division?: string;
  organization?: string;
  employee_number?: string;
  cost_center?: string;
  locale?: string;
  primary_phone?: string;
  primary_address?: string;
  external_id?: string;
  manager_id?: string;
  is_frontline?: boolean;
  is_admin?: boolean;
  state?: MemberRow['state'];
  password?: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Splits a full name into first and last (last word is the last name). */
export function splitName(name: string): { first: string; last: string } {
  const parts = name.trim().split(/\s+/);
  if (parts.length === 1) return { first: parts[0], last: '' };
  return { first: parts.slice(0, -1).join(' '), last: parts[parts.length - 1] };
}

/** Creates a member account (bootstrap admin, demo seed, provisioning). */
export async function memberCreator({ ctx, actor, trx }: Write, input: MemberInput): Promise<MemberRow> {
  const email = input.email?.trim();
  if (email && !EMAIL.test(email)) throw invalidParameter(`"${email}" is not an email address`);
  if (!email && !input.external_id) throw invalidParameter('A member needs an email or an external_id');
  const fullName = (input.name ?? [input.first_name, input.last_name].filter(Boolean).join(' ')).trim();
  if (!fullName) throw invalidParameter('A member needs a name');
  const split = splitName(fullName);
  if (email && (await findMemberByEmail(trx, email))) throw new AppError('conflict', `(#100) A member with the email ${email} already exists`);
  if (input.manager_id && !(await findMemberById(trx, input.manager_id))) throw invalidParameter(`manager ${input.manager_id} is not a member`);
  const now = ctx.clock.now();
  const state = input.state ?? 'provisioned';
  const row: MemberRow = {
    id: newId(),
    email: email ?? null,
    email_lower: email ? email.toLowerCase() : null,
    first_name: input.first_name ?? split.first,
    last_name: input.last_name ?? split.last,
    name: fullName,
    title: input.title ?? null,
    department: input.department ?? null,
    division: input.division ?? null,
    organization: input.organization ?? null,
    employee_number: input.employee_number ?? null,
    cost_center: input.cost_center ?? null,
    locale: input.locale ?? null,
    primary_phone: input.primary_phone ?? null,
    primary_address: input.primary_address ?? null,
    external_id: input.external_id ?? null,
    manager_id: input.manager_id ?? null,
    is_frontline: input.is_frontline ? 1 : 0,
    picture_media_id: null,
    state,
    invited_time: state === 'invited' || state === 'claimed' ? now : null,
    claimed_time: state === 'claimed' ? now : null,
    deactivated_time: null,
    is_admin: input.is_admin ? 1 : 0,
    password_hash: input.password ? await hashPassword(input.password) : null,
    created_time: now,
    updated_time: now,
  };
  try {
    await insertMember(trx, row);
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('conflict', '(#100) A member with that email or external_id already exists');
    throw error;
  }
  const { password_hash: _hidden, ...visible } = row;
  await recordChange(trx, ctx, actor, { action: input.is_admin ? 'admin.created' : 'member.created', target: { type: 'member', id: row.id }, new: visible });
  return row;
}
