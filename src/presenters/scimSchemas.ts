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

// Descriptions and characteristics of the core attributes are RFC 7643 §8.7.1's; what each
// attribute means for a Commonplace member is in docs/scim.md.
const PRIMARY = (example: string) =>
  attr('primary', 'boolean', `A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., ${example}. The primary attribute value 'true' MUST appear no more than once.`);
const display = str('display', 'A human-readable name, primarily used for display purposes. READ-ONLY.');
const typed = (example: string, canonicalValues: string[]) => str('type', `A label indicating the attribute's function, e.g., ${example}.`, { canonicalValues });
const EMAIL_TEXT = "Email addresses for the user. The value SHOULD be canonicalized by the service provider, e.g., 'bjensen@example.com' instead of 'bjensen@EXAMPLE.COM'. Canonical type values of 'work', 'home', and 'other'.";
const FULL_NAME = "given the full name 'Ms. Barbara J Jensen, III'";

export const userAttributes: AttributeDef[] = [
  str('id', 'A unique identifier for a SCIM resource as defined by the service provider.', { ...readOnly, returned: 'always', caseExact: true, uniqueness: 'server' }),
  str('externalId', 'A String that is an identifier for the resource as defined by the provisioning client.', { caseExact: true }),
  str(
    'userName',
    "Unique identifier for the User, typically used by the user to directly authenticate to the service provider. Each User MUST include a non-empty userName value. This identifier MUST be unique across the service provider's entire set of Users. REQUIRED.",
    { required: true, uniqueness: 'server' },
  ),
  attr(
    'name',
    'complex',
    "The components of the user's real name. Providers MAY return just the full name as a single string in the formatted sub-attribute, or they MAY return just the individual component attributes using the other sub-attributes, or they MAY return both. If both variants are returned, they SHOULD be describing the same name, with the formatted name indicating how the component attributes should be combined.",
    {
      subAttributes: [
        str('formatted', "The full name, including all middle names, titles, and suffixes as appropriate, formatted for display (e.g., 'Ms. Barbara J Jensen, III')."),
        str('familyName', `The family name of the User, or last name in most Western languages (e.g., 'Jensen' ${FULL_NAME}).`),
        str('givenName', `The given name of the User, or first name in most Western languages (e.g., 'Barbara' ${FULL_NAME}).`),
        str('middleName', `The middle name(s) of the User (e.g., 'Jane' ${FULL_NAME}).`),
        str('honorificPrefix', `The honorific prefix(es) of the User, or title in most Western languages (e.g., 'Ms.' ${FULL_NAME}).`),
        str('honorificSuffix', `The honorific suffix(es) of the User, or suffix in most Western languages (e.g., 'III' ${FULL_NAME}).`),
      ],
    },
  ),
  str('displayName', 'The name of the User, suitable for display to end-users. The name SHOULD be the full name of the User being described, if known.'),
  str('nickName', "The casual way to address the user in real life, e.g., 'Bob' or 'Bobby' instead of 'Robert'. This attribute SHOULD NOT be used to represent a User's username (e.g., 'bjensen' or 'mpepperidge')."),
  attr('profileUrl', 'reference', "A fully qualified URL pointing to a page representing the User's online profile.", { referenceTypes: ['external'] }),
  str('title', 'The user\'s title, such as "Vice President."'),
  str('userType', "Used to identify the relationship between the organization and the user. Typical values used might be 'Contractor', 'Employee', 'Intern', 'Temp', 'External', and 'Unknown', but any value may be used."),
  str('preferredLanguage', "Indicates the User's preferred written or spoken language. Generally used for selecting a localized user interface; e.g., 'en_US' specifies the language English and country US."),
  str('locale', "Used to indicate the User's default location for purposes of localizing items such as currency, date time format, or numerical representations."),
  str('timezone', "The User's time zone in the 'Olson' time zone database format, e.g., 'America/Los_Angeles'."),
  attr('active', 'boolean', "A Boolean value indicating the User's administrative status."),
  attr('emails', 'complex', EMAIL_TEXT, {
    multiValued: true,
    subAttributes: [str('value', EMAIL_TEXT), display, typed("'work' or 'home'", ['work', 'home', 'other']), PRIMARY('the preferred mailing address or primary email address')],
  }),
  attr(
    'phoneNumbers',
    'complex',
    "Phone numbers for the User. The value SHOULD be canonicalized by the service provider according to the format specified in RFC 3966, e.g., 'tel:+1-201-555-0123'. Canonical type values of 'work', 'home', 'mobile', 'fax', 'pager', and 'other'.",
    {
      multiValued: true,
      subAttributes: [
        str('value', 'Phone number of the User.'),
        display,
        typed("'work', 'home', 'mobile'", ['work', 'home', 'mobile', 'fax', 'pager', 'other']),
        PRIMARY('the preferred phone number or primary phone number'),
      ],
    },
  ),
  attr('addresses', 'complex', "A physical mailing address for this User. Canonical type values of 'work', 'home', and 'other'. This attribute is a complex type with the following sub-attributes.", {
    multiValued: true,
    subAttributes: [
      str('formatted', 'The full mailing address, formatted for display or use with a mailing label. This attribute MAY contain newlines.'),
      str('streetAddress', 'The full street address component, which may include house number, street name, P.O. box, and multi-line extended street address information. This attribute MAY contain newlines.'),
      str('locality', 'The city or locality component.'),
      str('region', 'The state or region component.'),
      str('postalCode', 'The zip code or postal code component.'),
      str('country', 'The country name component.'),
      typed("'work' or 'home'", ['work', 'home', 'other']),
      PRIMARY('the preferred mailing address'),
    ],
  }),
  attr('photos', 'complex', 'URLs of photos of the User.', {
    multiValued: true,
    subAttributes: [
      attr('value', 'reference', 'URL of a photo of the User.', { referenceTypes: ['external'] }),
      display,
      str('type', "A label indicating the attribute's function, i.e., 'photo' or 'thumbnail'.", { canonicalValues: ['photo', 'thumbnail'] }),
      PRIMARY('the preferred photo or thumbnail'),
    ],
  }),
  attr('groups', 'complex', 'A list of groups to which the user belongs, either through direct membership, through nested groups, or dynamically calculated.', {
    ...readOnly,
    multiValued: true,
    subAttributes: [
      str('value', "The identifier of the User's group.", readOnly),
      attr('$ref', 'reference', "The URI of the corresponding 'Group' resource to which the user belongs.", { ...readOnly, referenceTypes: ['User', 'Group'] }),
      str('display', 'A human-readable name, primarily used for display purposes. READ-ONLY.', readOnly),
      str('type', "A label indicating the attribute's function, e.g., 'direct' or 'indirect'.", { ...readOnly, canonicalValues: ['direct', 'indirect'] }),
    ],
  }),
];

export const extensionAttributes: Record<ExtensionKey, AttributeDef[]> = {
  enterprise: [
    str('employeeNumber', 'Numeric or alphanumeric identifier assigned to a person, typically based on order of hire or association with an organization.', { caseExact: true }),
    str('costCenter', 'Identifies the name of a cost center.'),
    str('organization', 'Identifies the name of an organization.'),
    str('division', 'Identifies the name of a division.'),
    str('department', 'Identifies the name of a department.'),
    attr('manager', 'complex', "The User's manager. A complex type that optionally allows service providers to represent organizational hierarchy by referencing the 'id' attribute of another User.", {
      subAttributes: [
        str('managerId', "The id of the SCIM resource representing the User's manager (Workplace's name for value)."),
        str('value', "The id of the SCIM resource representing the User's manager. REQUIRED."),
        attr('$ref', 'reference', "The URI of the SCIM resource representing the User's manager. REQUIRED.", { ...readOnly, referenceTypes: ['User'] }),
        str('displayName', "The displayName of the User's manager. OPTIONAL and READ-ONLY.", readOnly),
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
  str('id', 'A unique identifier for a SCIM resource as defined by the service provider.', { ...readOnly, returned: 'always', caseExact: true, uniqueness: 'server' }),
  str('externalId', 'A String that is an identifier for the resource as defined by the provisioning client.', { caseExact: true }),
  str('displayName', 'A human-readable name for the Group. REQUIRED.', { required: true, uniqueness: 'server' }),
  attr('members', 'complex', 'A list of members of the Group.', {
    multiValued: true,
    subAttributes: [
      str('value', 'Identifier of the member of this Group.', { mutability: 'immutable', caseExact: true }),
      attr('$ref', 'reference', 'The URI corresponding to a SCIM resource that is a member of this Group.', { mutability: 'immutable', referenceTypes: ['User', 'Group'] }),
      str('display', "A human-readable name for the member (the User's name).", readOnly),
      str('type', "A label indicating the type of resource, e.g., 'User' or 'Group'.", { mutability: 'immutable', canonicalValues: ['User', 'Group'] }),
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
