// The membership rule language: SCIM-filter-like expressions over member attributes,
// `department eq "Sales" and not (title co "Contractor")`. Parsing and evaluation are pure.

import type { MemberRow } from '../db/repositories/member.js';

/** Attributes a rule may read, with how each is taken from a member. */
export const RULE_ATTRIBUTES = {
  department: (m: MemberRow) => m.department,
  division: (m: MemberRow) => m.division,
  title: (m: MemberRow) => m.title,
  organization: (m: MemberRow) => m.organization,
  cost_center: (m: MemberRow) => m.cost_center,
  employee_number: (m: MemberRow) => m.employee_number,
  employee_type: (m: MemberRow) => m.user_type ?? null,
  location: (m: MemberRow) => m.primary_address,
  locale: (m: MemberRow) => m.locale,
  timezone: (m: MemberRow) => m.timezone ?? null,
  email: (m: MemberRow) => m.email,
  name: (m: MemberRow) => m.name,
  frontline: (m: MemberRow) => m.is_frontline === 1,
  manager: (m: MemberRow) => m.manager_id,
  reports_to: (m: MemberRow) => m.manager_id,
} as const;

export type RuleAttribute = keyof typeof RULE_ATTRIBUTES;
const OPERATORS = ['eq', 'ne', 'co', 'sw', 'ew', 'in'] as const;
type Operator = (typeof OPERATORS)[number];
type Value = string | number | boolean;

export type RuleNode =
  | { kind: 'and' | 'or'; left: RuleNode; right: RuleNode }
  | { kind: 'not'; expr: RuleNode }
  | { kind: 'present'; attr: RuleAttribute }
  | { kind: 'compare'; attr: RuleAttribute; op: Operator; value: Value | Value[] };

/** A rule that does not parse: `position` is the character where it went wrong. */
export class RuleSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} at character ${position + 1}`);
  }
}

type Token = { type: 'word' | 'string' | 'number' | '(' | ')' | '[' | ']' | ','; text: string; pos: number };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (/\s/.test(c)) {
      i++;
    } else if ('()[],'.includes(c)) {
      tokens.push({ type: c as Token['type'], text: c, pos: i });
      i++;
    } else if (c === '"') {
      let text = '';
      let j = i + 1;
      for (; j < source.length && source[j] !== '"'; j++) {
        if (source[j] === '\\' && j + 1 < source.length) j++;
        text += source[j];
      }
      if (j >= source.length) throw new RuleSyntaxError('unterminated string', i);
      tokens.push({ type: 'string', text, pos: i });
      i = j + 1;
    } else if (/[0-9-]/.test(c)) {
      const match = /^-?\d+(\.\d+)?/.exec(source.slice(i));
      if (!match) throw new RuleSyntaxError(`unexpected "${c}"`, i);
      tokens.push({ type: 'number', text: match[0], pos: i });
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const match = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(source.slice(i))!;
      tokens.push({ type: 'word', text: match[0], pos: i });
      i += match[0].length;
    } else throw new RuleSyntaxError(`unexpected "${c}"`, i);
  }
  return tokens;
}

/** Parses a rule; throws RuleSyntaxError with the position of the problem. */
export function parseRule(source: string): RuleNode {
  const tokens = tokenize(source);
  let at = 0;
  const peek = () => tokens[at];
  const end = () => source.length;
  const keyword = (word: string) => peek()?.type === 'word' && peek().text.toLowerCase() === word;

  function value(): Value {
    const t = tokens[at++];
    if (!t) throw new RuleSyntaxError('a value is missing', end());
    if (t.type === 'string') return t.text;
    if (t.type === 'number') return Number(t.text);
    if (t.type === 'word' && (t.text === 'true' || t.text === 'false')) return t.text === 'true';
    throw new RuleSyntaxError(`expected a value, found "${t.text}"`, t.pos);
  }

  function comparison(): RuleNode {
    const t = tokens[at++];
    if (!t) throw new RuleSyntaxError('an attribute is missing', end());
    if (t.type === '(') {
      const inner = or();
      if (tokens[at++]?.type !== ')') throw new RuleSyntaxError('")" is missing', tokens[at - 1]?.pos ?? end());
      return inner;
    }
    if (t.type !== 'word') throw new RuleSyntaxError(`expected an attribute, found "${t.text}"`, t.pos);
    const attr = t.text.toLowerCase() as RuleAttribute;
    if (!(attr in RULE_ATTRIBUTES)) throw new RuleSyntaxError(`unknown attribute "${t.text}" (known: ${Object.keys(RULE_ATTRIBUTES).join(', ')})`, t.pos);
    const opToken = tokens[at++];
    if (!opToken || opToken.type !== 'word') throw new RuleSyntaxError('an operator is missing (eq, ne, co, sw, ew, in, pr)', opToken?.pos ?? end());
    const op = opToken.text.toLowerCase();
    if (op === 'pr') return { kind: 'present', attr };
    if (!OPERATORS.includes(op as Operator)) throw new RuleSyntaxError(`unknown operator "${opToken.text}"`, opToken.pos);
    if ((attr === 'reports_to' || attr === 'manager') && op !== 'eq' && op !== 'ne' && op !== 'in') throw new RuleSyntaxError(`${attr} takes eq, ne or in`, opToken.pos);
    if (op === 'in') {
      if (tokens[at++]?.type !== '[') throw new RuleSyntaxError('in takes a list: ["a", "b"]', tokens[at - 1]?.pos ?? end());
      const list: Value[] = [];
      while (peek() && peek().type !== ']') {
        list.push(value());
        if (peek()?.type === ',') at++;
      }
      if (tokens[at++]?.type !== ']') throw new RuleSyntaxError('"]" is missing', end());
      return { kind: 'compare', attr, op: 'in', value: list };
    }
    return { kind: 'compare', attr, op: op as Operator, value: value() };
  }

  function not(): RuleNode {
    if (keyword('not')) {
      at++;
      return { kind: 'not', expr: not() };
    }
    return comparison();
  }

  function and(): RuleNode {
    let left = not();
    while (keyword('and')) {
      at++;
      left = { kind: 'and', left, right: not() };
    }
    return left;
  }

  function or(): RuleNode {
    let left = and();
    while (keyword('or')) {
      at++;
      left = { kind: 'or', left, right: and() };
    }
    return left;
  }

  if (tokens.length === 0) throw new RuleSyntaxError('the rule is empty', 0);
  const rule = or();
  if (at < tokens.length) throw new RuleSyntaxError(`unexpected "${tokens[at].text}"`, tokens[at].pos);
  return rule;
}

/** Whether a rule reads the manager chain (then a manager's change moves their reports too). */
export function readsManagerChain(rule: RuleNode): boolean {
  switch (rule.kind) {
    case 'and':
    case 'or':
      return readsManagerChain(rule.left) || readsManagerChain(rule.right);
    case 'not':
      return readsManagerChain(rule.expr);
    default:
      return rule.attr === 'reports_to';
  }
}

/** What evaluating needs besides the member: everyone, to walk manager chains and match emails. */
export interface Directory {
  byId: Map<string, MemberRow>;
}

/** The member's managers, nearest first (ids), stopping at a cycle. */
export function managerChain(member: MemberRow, directory: Directory): MemberRow[] {
  const chain: MemberRow[] = [];
  const seen = new Set([member.id]);
  let next = member.manager_id;
  while (next && !seen.has(next)) {
    seen.add(next);
    const manager = directory.byId.get(next);
    if (!manager) break;
    chain.push(manager);
    next = manager.manager_id;
  }
  return chain;
}

const lower = (v: Value) => String(v).toLowerCase();

/** A person named in a rule: by id or by email, case-insensitive. */
const names = (person: MemberRow, wanted: Value) => person.id === String(wanted) || (person.email ?? '').toLowerCase() === lower(wanted);

function compareText(actual: string | boolean | null, op: Operator, value: Value | Value[]): boolean {
  if (op === 'in') return (value as Value[]).some((v) => compareText(actual, 'eq', v));
  if (typeof actual === 'boolean') {
    const wanted = typeof value === 'boolean' ? value : lower(value as Value) === 'true';
    return op === 'ne' ? actual !== wanted : op === 'eq' ? actual === wanted : false;
  }
  const a = (actual ?? '').toLowerCase();
  const v = lower(value as Value);
  switch (op) {
    case 'eq':
      return actual !== null && a === v;
    case 'ne':
      return actual === null || a !== v;
    case 'co':
      return actual !== null && a.includes(v);
    case 'sw':
      return actual !== null && a.startsWith(v);
    case 'ew':
      return actual !== null && a.endsWith(v);
  }
}

/** Whether a member matches a rule. Text comparisons ignore case, as SCIM's do. */
export function matchesRule(rule: RuleNode, member: MemberRow, directory: Directory): boolean {
  switch (rule.kind) {
    case 'and':
      return matchesRule(rule.left, member, directory) && matchesRule(rule.right, member, directory);
    case 'or':
      return matchesRule(rule.left, member, directory) || matchesRule(rule.right, member, directory);
    case 'not':
      return !matchesRule(rule.expr, member, directory);
    case 'present': {
      const v = RULE_ATTRIBUTES[rule.attr](member);
      return v !== null && v !== '' && v !== false;
    }
    case 'compare': {
      if (rule.attr === 'manager' || rule.attr === 'reports_to') {
        const people = rule.attr === 'manager' ? [directory.byId.get(member.manager_id ?? '')].filter((m): m is MemberRow => !!m) : managerChain(member, directory);
        const wanted = rule.op === 'in' ? (rule.value as Value[]) : [rule.value as Value];
        const hit = people.some((p) => wanted.some((w) => names(p, w)));
        return rule.op === 'ne' ? !hit : hit;
      }
      return compareText(RULE_ATTRIBUTES[rule.attr](member), rule.op, rule.value);
    }
  }
}
