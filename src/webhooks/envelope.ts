import type { WebhookField } from '../domain/events.js';

/** An outbox event as the envelope presenter needs it. */
export interface EnvelopeEvent {
  topic: string;
  field: string;
  entry_id: string;
  /** The change's `value`, as JSON text. */
  payload: string;
  created_time: number;
}

function assertUnreachable(value: never): never {
  throw new Error(`no webhook envelope for ${JSON.stringify(value)}`);
}

/** `{object, entry:[{id, time, changes:[{field, value}]}]}`; entry time in seconds, as Graph webhooks. */
function changes(topic: string, field: string, event: EnvelopeEvent, value: unknown) {
  return { object: topic, entry: [{ id: event.entry_id, time: Math.floor(event.created_time / 1000), changes: [{ field, value }] }] };
}

/** `{object:"page", entry:[{id, time, messaging:[…]}]}`; entry time in milliseconds, as Messenger. */
function messaging(event: EnvelopeEvent, value: unknown) {
  return { object: 'page', entry: [{ id: event.entry_id, time: event.created_time, messaging: [value] }] };
}

/**
 * The Workplace envelope of one event. The switch covers every topic and field of the closed
 * union; a new field does not compile until it is presented here.
 */
export function presentEnvelope(event: EnvelopeEvent): Record<string, unknown> {
  const which = { topic: event.topic, field: event.field } as WebhookField;
  const value = JSON.parse(event.payload) as unknown;
  switch (which.topic) {
    case 'group':
      return changes('group', which.field, event, value);
    case 'user':
      return changes('user', which.field, event, value);
    case 'workplace_security':
      return changes('workplace_security', which.field, event, value);
    case 'link':
      return changes('link', which.field, event, value);
    case 'page': {
      const field = which.field;
      switch (field) {
        case 'mention':
          return changes('page', 'mention', event, value);
        case 'messages':
        case 'message_echoes':
        case 'message_deliveries':
        case 'message_reads':
        case 'messaging_postbacks':
          return messaging(event, value);
        default:
          return assertUnreachable(field);
      }
    }
    default:
      return assertUnreachable(which);
  }
}

/** JSON with every non-ASCII character escaped as \uXXXX (lowercase hex), as Meta sends it. */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The exact bytes of an event's webhook body. */
export function envelopeBytes(event: EnvelopeEvent): Buffer {
  return Buffer.from(asciiJson(presentEnvelope(event)), 'utf8');
}
