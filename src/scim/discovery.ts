import { AppError } from '../errors.js';
import {
  type AttributeDef,
  EXTENSIONS,
  type ExtensionKey,
  extensionAttributes,
  flavourName,
  groupAttributes,
  schemaKeyOf,
  URN,
  userAttributes,
} from '../presenters/scimSchemas.js';
import { MAX_BULK_OPERATIONS } from './bulk.js';
import { BODY_LIMIT_BYTES, MAX_COUNT, listResponse, type ScimCall, type ScimReply } from './request.js';

// Discovery (RFC 7644 §4): /ServiceProviderConfig (and Workplace's /ServiceProviderConfigs),
// /ResourceTypes and /Schemas (and Workplace's /Schemas/Users). Public: no token needed.

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:';

const extensionInfo: Record<ExtensionKey, { name: string; description: string }> = {
  enterprise: { name: 'EnterpriseUser', description: 'Enterprise User' },
  starttermdates: { name: 'StartTermDates', description: "Workplace's start and termination dates (epoch seconds)." },
  accountstatusdetails: { name: 'AccountStatusDetails', description: "Workplace's account status: invited (writable), claimed, dates, claim link and access code." },
  authmethod: { name: 'AuthMethod', description: "Workplace's sign-in method: password or sso." },
  frontline: { name: 'Frontline', description: "Workplace's frontline flag." },
};

export function serviceProviderConfig(call: ScimCall): ScimReply {
  const bearer = {
    type: 'oauthbearertoken',
    name: 'OAuth Bearer Token',
    description: 'The access token of a custom integration with the manage_accounts permission, as Authorization: Bearer <token>.',
    specUri: 'https://www.rfc-editor.org/info/rfc6750',
    primary: true,
  };
  const common = {
    patch: { supported: true },
    bulk: call.flavour === '2.0' ? { supported: true, maxOperations: MAX_BULK_OPERATIONS, maxPayloadSize: BODY_LIMIT_BYTES } : { supported: false, maxOperations: 0, maxPayloadSize: BODY_LIMIT_BYTES },
    filter: { supported: true, maxResults: MAX_COUNT },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
  };
  if (call.flavour === '1.1') {
    return {
      status: 200,
      body: {
        schemas: [URN['1.1'].core],
        ...common,
        xmlDataFormat: { supported: false },
        authenticationSchemes: [{ name: bearer.name, description: bearer.description, specUrl: bearer.specUri }],
      },
    };
  }
  return {
    status: 200,
    body: {
      schemas: [`${CORE}ServiceProviderConfig`],
      ...common,
      authenticationSchemes: [bearer],
      meta: { resourceType: 'ServiceProviderConfig', location: `${call.base}/ServiceProviderConfig` },
    },
  };
}

function resourceTypes(call: ScimCall) {
  return [
    {
      schemas: [`${CORE}ResourceType`],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'Accounts of the community.',
      schema: URN['2.0'].core,
      schemaExtensions: EXTENSIONS.map((key) => ({ schema: URN['2.0'][key], required: false })),
      meta: { resourceType: 'ResourceType', location: `${call.base}/ResourceTypes/User` },
    },
    {
      schemas: [`${CORE}ResourceType`],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'People sets: named sets of accounts.',
      schema: URN['2.0'].group,
      schemaExtensions: [],
      meta: { resourceType: 'ResourceType', location: `${call.base}/ResourceTypes/Group` },
    },
  ];
}

export function resourceTypesReply(call: ScimCall, id: string | undefined): ScimReply {
  const all = resourceTypes(call);
  if (!id) return { status: 200, body: listResponse(URN['2.0'].list, all.length, 1, all) };
  const found = all.find((r) => r.id.toLowerCase() === id.toLowerCase() || `${r.id}s`.toLowerCase() === id.toLowerCase());
  if (!found) throw new AppError('unknown_object', `No resource type ${id}`);
  return { status: 200, body: found };
}

/** A 1.1 attribute: `readOnly` and `schema` instead of mutability. */
function v1Attribute(a: AttributeDef, schema: string): Record<string, unknown> {
  return {
    name: a.name,
    type: a.type,
    multiValued: a.multiValued,
    description: a.description,
    schema,
    readOnly: a.mutability === 'readOnly',
    required: a.required,
    caseExact: a.caseExact,
    ...(a.subAttributes ? { subAttributes: a.subAttributes.map((s) => v1Attribute(s, schema)) } : {}),
  };
}

type SchemaEntry = { id: string; name: string; description: string; attributes: AttributeDef[] };

function schemaEntries(flavour: '2.0' | '1.1'): SchemaEntry[] {
  const urn = URN[flavour];
  return [
    { id: urn.core, name: 'User', description: 'User Account', attributes: userAttributes },
    ...(flavour === '2.0' ? [{ id: urn.group, name: 'Group', description: 'Group', attributes: groupAttributes }] : []),
    ...EXTENSIONS.map((key) => ({
      id: urn[key],
      ...extensionInfo[key],
      attributes: extensionAttributes[key].map((a) => ({ ...a, name: flavourName(flavour, key, a.name) })),
    })),
  ];
}

function schemaDocument(call: ScimCall, entry: SchemaEntry): Record<string, unknown> {
  if (call.flavour === '1.1') {
    return { id: entry.id, name: entry.name, description: entry.description, schema: entry.id, endpoint: entry.name === 'User' ? '/Users' : undefined, attributes: entry.attributes.map((a) => v1Attribute(a, entry.id)) };
  }
  return {
    schemas: [`${CORE}Schema`],
    id: entry.id,
    name: entry.name,
    description: entry.description,
    attributes: entry.attributes,
    meta: { resourceType: 'Schema', location: `${call.base}/Schemas/${entry.id}` },
  };
}

/** GET /Schemas, /Schemas/{urn}, and Workplace's /Schemas/Users and /Schemas/Groups. */
export function schemasReply(call: ScimCall, id: string | undefined): ScimReply {
  const entries = schemaEntries(call.flavour);
  if (!id) {
    const docs = entries.map((e) => schemaDocument(call, e));
    return { status: 200, body: listResponse(URN[call.flavour].list, docs.length, 1, docs) };
  }
  const lower = id.toLowerCase();
  const key = lower === 'users' || lower === 'user' ? 'core' : lower === 'groups' || lower === 'group' ? 'group' : schemaKeyOf(id);
  const entry = key ? entries.find((e) => e.id === URN[call.flavour][key]) : undefined;
  if (!entry) throw new AppError('unknown_object', `No schema ${id}`);
  return { status: 200, body: schemaDocument(call, entry) };
}
