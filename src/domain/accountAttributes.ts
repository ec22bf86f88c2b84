import type { MemberRow } from '../db/repositories/member.js';

// The multi-valued account attributes (SCIM emails, phoneNumbers, addresses, photos) and how
// their primary values become the member's Graph fields. Stored lists are kept exactly as
// last written; a member that never had one gets a list derived from its Graph fields.

/** One value of a multi-valued attribute: `value`, `type`, `primary` and sub-attributes. */
export type MultiValue = Record<string, unknown>;

export type ListName = 'emails' | 'phoneNumbers' | 'addresses' | 'photos';

const column = { emails: 'emails_json', phoneNumbers: 'phone_numbers_json', addresses: 'addresses_json', photos: 'photos_json' } as const;

/** The entry marked primary, else the first. */
export function primaryOf(list: readonly MultiValue[]): MultiValue | undefined {
  return list.find((v) => v.primary === true) ?? list[0];
}

/** An address as one line: `formatted`, else its parts joined. */
export function addressLine(address: MultiValue | undefined): string | null {
  if (!address) return null;
  if (typeof address.formatted === 'string' && address.formatted.trim()) return address.formatted;
  const parts = ['streetAddress', 'locality', 'region', 'postalCode', 'country'].map((k) => address[k]).filter((v): v is string => typeof v === 'string' && v.trim() !== '');
  return parts.length ? parts.join(', ') : null;
}

/** A member's list: as stored, or derived from the Graph field for members that never had one. */
export function currentList(member: Pick<MemberRow, 'email' | 'primary_phone' | 'primary_address' | 'emails_json' | 'phone_numbers_json' | 'addresses_json' | 'photos_json'>, name: ListName): MultiValue[] {
  const stored = member[column[name]];
  if (stored) return JSON.parse(stored) as MultiValue[];
  switch (name) {
    case 'emails':
      return member.email ? [{ value: member.email, type: 'work', primary: true }] : [];
    case 'phoneNumbers':
      return member.primary_phone ? [{ value: member.primary_phone, type: 'work', primary: true }] : [];
    case 'addresses':
      return member.primary_address ? [{ formatted: member.primary_address, type: 'work', primary: true }] : [];
    case 'photos':
      return [];
  }
}

/** The list with its primary entry replaced by `entry` (or `entry` added as primary; removed when null). */
export function withPrimary(list: readonly MultiValue[], entry: MultiValue | null): MultiValue[] {
  const index = list.findIndex((v) => v.primary === true);
  const at = index >= 0 ? index : list.length ? 0 : -1;
  if (entry === null) return at >= 0 ? list.filter((_v, i) => i !== at) : [...list];
  const next = { type: at >= 0 ? (list[at].type ?? 'work') : 'work', ...entry, primary: true };
  if (at < 0) return [next];
  return list.map((v, i) => (i === at ? next : v));
}
