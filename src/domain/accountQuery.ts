// A filter over accounts or people sets in domain terms: surfaces translate their own syntax
// (SCIM filters) into this tree, and the repositories translate the tree into SQL. Nothing
// is ever filtered in memory.

/** How a field compares: strings case-insensitively or exactly, booleans, times (epoch ms). */
export type FieldKind = 'text' | 'exact' | 'boolean' | 'time';

export const accountFields = {
  id: 'exact',
  userName: 'text',
  /** The login email (Graph `email`); SCIM `emails.value` also searches the other emails. */
  email: 'text',
  externalId: 'exact',
  displayName: 'text',
  formattedName: 'text',
  givenName: 'text',
  familyName: 'text',
  middleName: 'text',
  honorificPrefix: 'text',
  honorificSuffix: 'text',
  nickName: 'text',
  profileUrl: 'exact',
  title: 'text',
  userType: 'text',
  preferredLanguage: 'text',
  locale: 'text',
  timezone: 'text',
  active: 'boolean',
  created: 'time',
  lastModified: 'time',
  employeeNumber: 'exact',
  costCenter: 'text',
  organization: 'text',
  division: 'text',
  department: 'text',
  managerId: 'exact',
  invited: 'boolean',
  claimed: 'boolean',
  inviteDate: 'time',
  claimDate: 'time',
  authMethod: 'text',
  startDate: 'time',
  termDate: 'time',
  isFrontline: 'boolean',
  primaryPhone: 'text',
  primaryAddress: 'text',
} as const satisfies Record<string, FieldKind>;

export const emailFields = { value: 'text', type: 'text', primary: 'boolean' } as const satisfies Record<string, FieldKind>;

export const peopleSetFields = { id: 'exact', displayName: 'text', externalId: 'exact', created: 'time', lastModified: 'time' } as const satisfies Record<string, FieldKind>;

export const setMemberFields = { value: 'exact' } as const satisfies Record<string, FieldKind>;

export type AccountField = keyof typeof accountFields;
export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type Scalar = string | number | boolean | null;

/** A condition over fields F, with related lists R (emails of an account, members of a set). */
export type Condition<F extends string, R extends string = never> =
  | { kind: 'compare'; field: F; op: CompareOp; value: Scalar }
  | { kind: 'present'; field: F }
  | { kind: 'and' | 'or'; items: Condition<F, R>[] }
  | { kind: 'not'; item: Condition<F, R> }
  | { kind: 'related'; relation: R; where: Condition<string> };

export type AccountCondition = Condition<AccountField, 'emails'>;
export type PeopleSetCondition = Condition<keyof typeof peopleSetFields, 'members'>;

/** Where a page starts: after the row with this id and, in a sorted list, this sort key. */
export interface ListPosition {
  id: string;
  sortKey?: string | number | boolean | null;
}

export interface ListRequest<F extends string> {
  /** 0-based: rows to skip (after `after`, when given). */
  offset: number;
  limit: number;
  sort?: { field: F; descending: boolean };
  /** Continue after this row (keyset) instead of counting `offset` rows from the start. */
  after?: ListPosition;
}
