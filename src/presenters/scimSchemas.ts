// The SCIM schemas Commonplace serves: URNs of both flavours and the attribute definitions
// (RFC 7643 §7) that /Schemas publishes. The SCIM surface reads the same definitions to
// canonicalize attribute names, check PATCH paths and mutability, and project attributes.

export type ScimFlavour = '2.0' | '1.1';

export const URN = {
  '2.0': {
    core: 'urn:ietf:params:scim:schemas:core:2.0:User',
    group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
    enterprise: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
    starttermdates: 'urn:ietf:params:scim:schemas:extension:facebook:starttermdates:2.0:User',
    accountstatusdetails: 'urn:ietf:params:scim:schemas:extension:facebook:accountstatusdetails:2.0:User',
    authmethod: 'urn:ietf:params:scim:schemas:extension:facebook:authmethod:2.0:User',
    frontline: 'urn:ietf:params:scim:schemas:extension:facebook:frontline:2.0:User',
    list: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  },
  '1.1': {
    core: 'urn:scim:schemas:core:1.0',
    group: 'urn:scim:schemas:core:1.0',
    enterprise: 'urn:scim:schemas:extension:enterprise:1.0',
    starttermdates: 'urn:scim:schemas:extension:facebook:starttermdates:1.0',
    accountstatusdetails: 'urn:scim:schemas:extension:facebook:accountstatusdetails:1.0',
    authmethod: 'urn:scim:schemas:extension:facebook:auth_method:1.0',
    frontline: 'urn:scim:schemas:extension:facebook:frontline:1.0',
    list: 'urn:scim:schemas:core:1.0',
  },
} as const;

export type ExtensionKey = 'enterprise' | 'starttermdates' | 'accountstatusdetails' | 'authmethod' | 'frontline';
export const EXTENSIONS: readonly ExtensionKey[] = ['enterprise', 'starttermdates', 'accountstatusdetails', 'authmethod', 'frontline'];

export const PATCH_OP_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** Every URN a request may use for a schema, either flavour (and a known typo), to its key. */
export function schemaKeyOf(urn: string): 'core' | 'group' | ExtensionKey | undefined {
  const lower = urn.toLowerCase().replace('core:2.0/user', 'core:2.0:user');
  for (const flavour of ['2.0', '1.1'] as const) {
    for (const [key, value] of Object.entries(URN[flavour])) {
      if (key === 'list' || value.toLowerCase() !== lower) continue;
      if (flavour === '1.1' && key === 'group') continue;
      return key as 'core' | 'group' | ExtensionKey;
    }
  }
  return undefined;
}

export interface AttributeDef {
  name: string;
  type: 'string' | 'boolean' | 'complex' | 'dateTime' | 'integer' | 'reference';
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  returned: 'always' | 'never' | 'default' | 'request';
  uniqueness: 'none' | 'server' | 'global';
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: AttributeDef[];
}

function attr(name: string, type: AttributeDef['type'], description: string, options: Partial<AttributeDef> = {}): AttributeDef {
  return { name, type, multiValued: false, description, required: false, caseExact: false, mutability: 'readWrite', returned: 'default', uniqueness: 'none', ...options };
}

const str = (name: string, description: string, options: Partial<AttributeDef> = {}) => attr(name, 'string', description, options);
const readOnly = { mutability: 'readOnly' } as const;

const typed = (kind: string) => str('type', `A label indicating the ${kind}'s function, e.g. "work" or "home".`, { canonicalValues: ['work', 'home', 'other'] });
const primary = (kind: string) => attr('primary', 'boolean', `Whether this is the primary ${kind}; the primary one becomes the Graph field.`);
const display = str('display', 'A human-readable name.');

export const userAttributes: AttributeDef[] = [
  str('id', 'The account id (the Graph member id).', { ...readOnly, returned: 'always', caseExact: true, uniqueness: 'server' }),
  str('externalId', 'An identifier issued by the provisioning client; unique.', { caseExact: true, uniqueness: 'server' }),
  str('userName', 'The login: the email address (Graph `email`). Unique, case-insensitive. Required unless externalId is given.', { uniqueness: 'server' }),
  attr('name', 'complex', 'The name; `formatted` is the Graph `name`.', {
    subAttributes: [
      str('formatted', 'The full name (Graph `name`).'),
      str('familyName', 'Graph `last_name`.'),
      str('givenName', 'Graph `first_name`.'),
      str('middleName', 'Middle name.'),
      str('honorificPrefix', 'Honorific prefix.'),
      str('honorificSuffix', 'Honorific suffix.'),
    ],
  }),
  str('displayName', 'The name to display; defaults to name.formatted.'),
  str('nickName', 'Casual name.'),
  attr('profileUrl', 'reference', 'A profile URL.', { referenceTypes: ['external'] }),
  str('title', 'Job title (Graph `title`).'),
  str('userType', 'Kind of account, e.g. "Employee".'),
  str('preferredLanguage', 'Preferred language, e.g. en_GB.'),
  str('locale', 'Locale (Graph `locale`).'),
  str('timezone', 'Time zone, e.g. Europe/London.'),
  attr('active', 'boolean', 'false deactivates the account (ends its sessions, keeps its content, lists it as a former member); true reactivates it.'),
  attr('emails', 'complex', 'Email addresses. The login email is userName when it is an address, else the primary entry.', {
    multiValued: true,
    subAttributes: [str('value', 'The address.'), display, typed('email'), primary('email')],
  }),
  attr('phoneNumbers', 'complex', 'Phone numbers; the primary one is Graph `primary_phone`.', {
    multiValued: true,
    subAttributes: [str('value', 'The number.'), display, typed('phone number'), primary('phone number')],
  }),
  attr('addresses', 'complex', 'Addresses; the primary one (its `formatted`, else its parts) is Graph `primary_address`.', {
    multiValued: true,
    subAttributes: [
      str('formatted', 'The full address on one line.'),
      str('streetAddress', 'Street.'),
      str('locality', 'City.'),
      str('region', 'State or region.'),
      str('postalCode', 'Postal code.'),
      str('country', 'Country (ISO 3166-1 alpha-2 recommended).'),
      typed('address'),
      primary('address'),
    ],
  }),
  attr('photos', 'complex', 'Photo URLs; the primary one is the Graph profile picture.', {
    multiValued: true,
    subAttributes: [attr('value', 'reference', 'The photo URL.', { referenceTypes: ['external'] }), display, str('type', 'photo or thumbnail.', { canonicalValues: ['photo', 'thumbnail', 'profile'] }), primary('photo')],
  }),
];

export const extensionAttributes: Record<ExtensionKey, AttributeDef[]> = {
  enterprise: [
    str('employeeNumber', 'Graph `employee_number`.', { caseExact: true }),
    str('costCenter', 'Graph `cost_center`.'),
    str('organization', 'Graph `organization`.'),
    str('division', 'Graph `division`.'),
    str('department', 'Graph `department`.'),
    attr('manager', 'complex', 'The manager: `managerId` (Workplace) or `value` (RFC 7643); it must be an existing account and may not create a cycle.', {
      subAttributes: [
        str('managerId', "The manager's id (Workplace's name)."),
        str('value', "The manager's id (RFC 7643's name)."),
        attr('$ref', 'reference', "The manager's URI.", { ...readOnly, referenceTypes: ['User'] }),
        str('displayName', "The manager's name.", readOnly),
      ],
    }),
  ],
  starttermdates: [
    attr('startDate', 'integer', 'Start date, epoch seconds (0 = none).'),
    attr('termDate', 'integer', 'Termination date, epoch seconds (0 = none).'),
  ],
  accountstatusdetails: [
    attr('invited', 'boolean', 'Whether the account was invited; set true to invite (a claim link and an invitation email).'),
    attr('claimed', 'boolean', 'Whether the person claimed the account.', readOnly),
    attr('inviteDate', 'integer', 'When the account was invited, epoch seconds.', readOnly),
    attr('claimDate', 'integer', 'When the account was claimed, epoch seconds.', readOnly),
    attr('claimLink', 'reference', 'The link the person claims the account with (while invited).', { ...readOnly, referenceTypes: ['external'] }),
    str('accessCode', 'A code the person can claim the account with instead of the link (while invited).', { ...readOnly, caseExact: true }),
  ],
  authmethod: [str('authMethod', 'How the person signs in.', { canonicalValues: ['password', 'sso'] })],
  frontline: [attr('is_frontline', 'boolean', 'Whether the person is a frontline worker.')],
};

/** The v1 name of an extension attribute where it differs (`auth_method`). */
export function flavourName(flavour: ScimFlavour, extension: ExtensionKey, name: string): string {
  return flavour === '1.1' && extension === 'authmethod' && name === 'authMethod' ? 'auth_method' : name;
}

export const groupAttributes: AttributeDef[] = [
  str('id', 'The people set id.', { ...readOnly, returned: 'always', caseExact: true, uniqueness: 'server' }),
  str('externalId', 'An identifier issued by the provisioning client; unique.', { caseExact: true, uniqueness: 'server' }),
  str('displayName', 'The people set name; unique, case-insensitive.', { required: true, uniqueness: 'server' }),
  attr('members', 'complex', 'The accounts in the set.', {
    multiValued: true,
    subAttributes: [
      str('value', 'The account id.', { mutability: 'immutable', caseExact: true }),
      attr('$ref', 'reference', 'The account URI.', { ...readOnly, referenceTypes: ['User'] }),
      str('display', "The account's name.", readOnly),
      str('type', 'Always "User".', { canonicalValues: ['User'] }),
    ],
  }),
];

export const metaAttribute: AttributeDef = attr('meta', 'complex', 'Resource metadata.', {
  ...readOnly,
  subAttributes: [
    str('resourceType', 'User or Group.', readOnly),
    attr('created', 'dateTime', 'Creation time.', readOnly),
    attr('lastModified', 'dateTime', 'Last change.', readOnly),
    attr('location', 'reference', 'The resource URI.', readOnly),
    str('version', 'The ETag.', { ...readOnly, caseExact: true }),
  ],
});
