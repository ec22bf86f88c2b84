import fs from 'node:fs';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';

/** The person attributes a source can provide (the names `--map` uses). */
export const PERSON_FIELDS = [
  'email',
  'external_id',
  'first_name',
  'last_name',
  'display_name',
  'title',
  'department',
  'division',
  'organization',
  'cost_center',
  'employee_number',
  'phone',
  'locale',
  'timezone',
  'manager',
  'active',
] as const;
export type PersonField = (typeof PERSON_FIELDS)[number];

/** One person as a source describes them; absent attributes are not managed by the sync. */
export interface SourcePerson {
  /** The login email (lower-cased): the key people are matched by. */
  email: string;
  attributes: Partial<Record<Exclude<PersonField, 'email' | 'manager' | 'active'>, string>>;
  /** The manager's email, external id or employee number, as the source names them ('' = none). */
  manager?: string;
  active: boolean;
  /** Where the row came from, for messages (file:line or an LDAP DN). */
  origin: string;
}

export interface SourceResult {
  people: SourcePerson[];
  /** Attributes the source provides (only these are compared and written). */
  fields: Set<PersonField>;
  warnings: string[];
}

export class SourceError extends Error {}

const squash = (s: string) => s.toLowerCase().replace(/[\s_\-.]/g, '');

/** Parses `--map "email=Mail,department=Dept,manager=ManagerMail"` into field → column. */
export function parseMap(text: string | undefined): Map<PersonField, string> {
  const map = new Map<PersonField, string>();
  if (!text) return map;
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || eq === pair.length - 1) throw new SourceError(`--map: "${pair}" is not field=Column`);
    const field = pair.slice(0, eq).trim().toLowerCase().replace(/[\s-]/g, '_') as PersonField;
    if (!PERSON_FIELDS.includes(field)) throw new SourceError(`--map: unknown field "${pair.slice(0, eq).trim()}" (fields: ${PERSON_FIELDS.join(', ')})`);
    map.set(field, pair.slice(eq + 1).trim());
  }
  return map;
}

const TRUE = /^(1|true|yes|y|active|enabled|employed|current)$/i;
const FALSE = /^(0|false|no|n|inactive|disabled|terminated|left|deactivated|suspended)$/i;

/** Reads an "active" cell: empty means active. */
export function activeValue(text: string, origin: string): boolean {
  const v = text.trim();
  if (v === '' || TRUE.test(v)) return true;
  if (FALSE.test(v)) return false;
  throw new SourceError(`${origin}: active must be true/false (yes/no, active/inactive…), not ${JSON.stringify(v)}`);
}

/**
 * Turns rows (header → cell text) into people, with the mapping; columns named like a field are
 * used when not mapped. Messages name a row by `origins[i]` when given, else by its file line.
 */
export function peopleFromRows(rows: Record<string, string>[], headers: string[], map: Map<PersonField, string>, where: string, origins?: readonly string[]): SourceResult {
  const columns = new Map<PersonField, string>();
  for (const field of PERSON_FIELDS) {
    const wanted = map.get(field);
    if (wanted !== undefined) {
      const header = headers.find((h) => h === wanted) ?? headers.find((h) => squash(h) === squash(wanted));
      if (!header) throw new SourceError(`${where}: --map names column "${wanted}" for ${field}, but the columns are ${headers.map((h) => JSON.stringify(h)).join(', ')}`);
      columns.set(field, header);
    } else {
      const header = headers.find((h) => squash(h) === squash(field));
      if (header) columns.set(field, header);
    }
  }
  if (!columns.has('email')) throw new SourceError(`${where}: no email column (name one with --map email=Column; columns: ${headers.join(', ')})`);
  const people: SourcePerson[] = [];
  const warnings: string[] = [];
  const seen = new Map<string, string>();
  rows.forEach((row, i) => {
    const origin = origins?.[i] ?? `${where}:${i + 2}`;
    const cell = (field: PersonField) => {
      const column = columns.get(field);
      return column === undefined ? undefined : (row[column] ?? '').trim();
    };
    const email = (cell('email') ?? '').toLowerCase();
    if (!email) {
      warnings.push(`${origin}: no email, row skipped`);
      return;
    }
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) {
      warnings.push(`${origin}: ${JSON.stringify(email)} is not an email, row skipped`);
      return;
    }
    if (seen.has(email)) {
      warnings.push(`${origin}: ${email} already listed at ${seen.get(email)}, row skipped`);
      return;
    }
    seen.set(email, origin);
    const attributes: SourcePerson['attributes'] = {};
    for (const field of PERSON_FIELDS) {
      if (field === 'email' || field === 'manager' || field === 'active') continue;
      const v = cell(field);
      if (v !== undefined) attributes[field] = v;
    }
    const manager = cell('manager');
    const active = cell('active');
    people.push({ email, attributes, manager: manager === undefined ? undefined : manager.toLowerCase(), active: active === undefined ? true : activeValue(active, origin), origin });
  });
  return { people, fields: new Set(columns.keys()), warnings };
}

/** Reads a CSV file (UTF-8, optional BOM; comma, semicolon or tab separated). */
export function readCsv(file: string, map: Map<PersonField, string>): SourceResult {
  const text = fs.readFileSync(file, 'utf8');
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const delimiter = [',', ';', '\t'].sort((a, b) => firstLine.split(b).length - firstLine.split(a).length)[0]!;
  let records: string[][];
  try {
    records = parseCsv(text, { bom: true, delimiter, skip_empty_lines: true, relax_column_count: true });
  } catch (error) {
    throw new SourceError(`${file}: not a readable CSV file: ${(error as Error).message}`);
  }
  const [headers = [], ...body] = records;
  const trimmed = headers.map((h) => h.trim());
  const rows = body.map((r) => Object.fromEntries(trimmed.map((h, i) => [h, r[i] ?? ''])));
  return peopleFromRows(rows, trimmed, map, path.basename(file));
}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('text' in value && typeof value.text === 'string') return value.text;
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
    if ('hyperlink' in value) return String((value as { hyperlink: string }).hyperlink).replace(/^mailto:/, '');
    return '';
  }
  return String(value);
}

/** Reads the first worksheet of an XLSX file (row 1 holds the column names). */
export async function readXlsx(file: string, map: Map<PersonField, string>): Promise<SourceResult> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.readFile(file);
  } catch (error) {
    throw new SourceError(`${file}: not a readable XLSX file: ${(error as Error).message}`);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new SourceError(`${file}: the workbook has no worksheet`);
  const headers: string[] = [];
  sheet.getRow(1).eachCell({ includeEmpty: true }, (c, col) => (headers[col - 1] = cellText(c.value).trim()));
  const rows: Record<string, string>[] = [];
  for (let r = 2; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    if (!row.hasValues) continue;
    rows.push(Object.fromEntries(headers.map((h, i) => [h, cellText(row.getCell(i + 1).value)])));
  }
  return peopleFromRows(rows, headers, map, path.basename(file));
}
