import type { FieldSpec } from '../../presenters/types.js';

/**
 * Fields a node type has no data for but that Workplace's clients request and Workplace answered
 * without failing the call: group-export tools ask
 * `comments{from,to,message,link,name,caption,description,created_time,updated_time,like_count,…}`,
 * the field list of a Post, of a Comment. Each is answered as Graph answers an empty value (left
 * out). Any other unknown name is still error 100, as on Graph. docs/graph-api.md lists them.
 */
export const TOLERATED_COMMENT_FIELDS = ['to', 'link', 'name', 'caption', 'description'] as const;

/** Field specs that always answer nothing, for the tolerated names above. */
export function emptyFields<Row>(names: readonly string[]): Record<string, FieldSpec<Row>> {
  return Object.fromEntries(names.map((name) => [name, { kind: 'scalar', get: () => undefined } satisfies FieldSpec<Row>]));
}
