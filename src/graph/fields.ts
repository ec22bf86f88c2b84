import { invalidParameter } from '../errors.js';

/** One requested field: `name.mod(arg)…{children}` with an optional `.as(alias)`. */
export interface FieldNode {
  name: string;
  /** The key the value is written under (the `as` modifier, else the name). */
  key: string;
  modifiers: Record<string, string>;
  children: FieldNode[] | undefined;
}

const MAX_DEPTH = 8;
const MAX_FIELDS = 500;

/**
 * Parses Graph's `fields` syntax: `a,b{c,d},feed.limit(5).summary(true){message}.as(x)`.
 * Modifiers may come before or after the braces. Malformed input throws error 100.
 */
export function parseFields(input: string): FieldNode[] {
  let pos = 0;
  let count = 0;
  const fail = (what: string): never => {
    throw invalidParameter(`Syntax error in fields: ${what} at character ${pos} of "${input.length > 200 ? `${input.slice(0, 200)}…` : input}"`);
  };
  const skipSpace = () => {
    while (pos < input.length && /\s/.test(input[pos])) pos++;
  };
  const name = (): string => {
    skipSpace();
    const start = pos;
    while (pos < input.length && /[A-Za-z0-9_]/.test(input[pos])) pos++;
    if (start === pos) fail('expected a field name');
    return input.slice(start, pos);
  };
  const argument = (): string => {
    // Balanced parentheses are allowed inside an argument, e.g. filter(stream).
    let depth = 1;
    const start = pos;
    while (pos < input.length) {
      const c = input[pos];
      if (c === '(') depth++;
      else if (c === ')' && --depth === 0) break;
      pos++;
    }
    if (pos >= input.length) fail('unclosed "("');
    const value = input.slice(start, pos).trim();
    pos++;
    return value;
  };
  const list = (depth: number, closing: string | null): FieldNode[] => {
    if (depth > MAX_DEPTH) fail(`fields nested deeper than ${MAX_DEPTH} levels`);
    const out: FieldNode[] = [];
    for (;;) {
      skipSpace();
      if (closing && input[pos] === closing && out.length === 0) fail('empty braces');
      const node: FieldNode = { name: name(), key: '', modifiers: {}, children: undefined };
      if (++count > MAX_FIELDS) fail(`more than ${MAX_FIELDS} fields`);
      for (;;) {
        skipSpace();
        const c = input[pos];
        if (c === '.') {
          pos++;
          const modifier = name();
          skipSpace();
          if (input[pos] !== '(') fail(`expected "(" after .${modifier}`);
          pos++;
          // defineProperty: a modifier named __proto__ is an own (unknown) modifier, not the prototype.
          Object.defineProperty(node.modifiers, modifier, { value: argument(), enumerable: true, writable: true, configurable: true });
        } else if (c === '{') {
          if (node.children) fail('two sets of braces on one field');
          pos++;
          node.children = list(depth + 1, '}');
          skipSpace();
          if (input[pos] !== '}') fail('expected "}"');
          pos++;
        } else break;
      }
      node.key = node.modifiers.as || node.name;
      if (node.modifiers.as !== undefined && !/^[A-Za-z0-9_]+$/.test(node.modifiers.as)) fail('bad alias in .as()');
      out.push(node);
      skipSpace();
      if (input[pos] === ',') {
        pos++;
        skipSpace();
        if (pos >= input.length || input[pos] === '}') fail('trailing ","');
        continue;
      }
      if (closing ? input[pos] === closing : pos >= input.length) return out;
      fail(closing ? `expected "," or "${closing}"` : 'expected ","');
    }
  };
  if (input.trim() === '') return [];
  return list(0, null);
}

/** Field nodes for a plain list of names (the default fields of a type). */
export function plainFields(names: readonly string[]): FieldNode[] {
  return names.map((name) => ({ name, key: name, modifiers: {}, children: undefined }));
}

/** Writes field nodes back in `fields` syntax (for paging links of nested edges). */
export function serializeFields(nodes: readonly FieldNode[]): string {
  return nodes
    .map((n) => {
      const modifiers = Object.entries(n.modifiers).map(([name, value]) => `.${name}(${value})`).join('');
      return `${n.name}${modifiers}${n.children ? `{${serializeFields(n.children)}}` : ''}`;
    })
    .join(',');
}
