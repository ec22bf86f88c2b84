import { invalidParameter } from '../errors.js';

/**
 * Parses `since`/`until` values into epoch milliseconds: epoch seconds, ISO-8601 dates and
 * times, `DD-MM-YYYY`, `YYYY-MM-DD HH:MM:SS(.ffffff)`, and a few strtotime words (`now`,
 * `today`, `yesterday`, `-N day(s)|week(s)|hour(s)|minute(s)|month(s)`). Times without a zone are UTC.
 */
export function parseGraphTime(value: string, now: number, name = 'since'): number {
  const v = value.trim();
  if (/^-?\d+(\.\d+)?$/.test(v)) {
    const n = Number(v);
    // Values beyond year 5000 in seconds are taken as milliseconds.
    return Math.round(Math.abs(n) > 1e11 ? n : n * 1000);
  }
  let m = /^(\d{2})-(\d{2})-(\d{4})$/.exec(v);
  if (m) return checked(utc(+m[3], +m[2], +m[1]), v, name);
  m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(v);
  if (m) {
    const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
    let t = utc(+m[1], +m[2], +m[3], +m[4], +m[5], m[6] ? +m[6] : 0, ms);
    if (m[8] && m[8] !== 'Z') {
      const sign = m[8][0] === '-' ? -1 : 1;
      const digits = m[8].slice(1).replace(':', '');
      t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
    }
    return checked(t, v, name);
  }
  m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (m) return checked(utc(+m[1], +m[2], +m[3]), v, name);
  const lower = v.toLowerCase();
  const day = 86_400_000;
  const startOfDay = now - (now % day);
  if (lower === 'now') return now;
  if (lower === 'today') return startOfDay;
  if (lower === 'yesterday') return startOfDay - day;
  if (lower === 'tomorrow') return startOfDay + day;
  m = /^([+-]?\d+)\s*(second|minute|hour|day|week|month|year)s?(\s+ago)?$/.exec(lower);
  if (m) {
    const units: Record<string, number> = { second: 1000, minute: 60_000, hour: 3_600_000, day, week: 7 * day, month: 30 * day, year: 365 * day };
    const n = Number(m[1]) * (m[3] ? -1 : 1);
    return now + n * units[m[2]];
  }
  throw invalidParameter(`Param ${name} must be a unix timestamp or a date, got "${value.slice(0, 64)}"`);
}

/** Date.UTC that refuses out-of-range parts instead of rolling them over (month 13, hour 99). */
function utc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  const t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const d = new Date(t);
  const same = d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day && d.getUTCHours() === hour && d.getUTCMinutes() === minute && d.getUTCSeconds() === second;
  return same ? t : Number.NaN;
}

function checked(t: number, v: string, name: string): number {
  if (Number.isNaN(t)) throw invalidParameter(`Param ${name} is not a valid date: "${v}"`);
  return t;
}

/** Graph's datetime format: 2026-11-28T09:30:00+0000. */
export function graphTime(ms: number | null | undefined): string | undefined {
  if (ms === null || ms === undefined) return undefined;
  return `${new Date(ms).toISOString().slice(0, 19)}+0000`;
}

/** Offset of a time zone at an instant, in minutes east of UTC. */
export function zoneOffsetMinutes(ms: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(ms));
  const v = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const local = Date.UTC(v('year'), v('month') - 1, v('day'), v('hour'), v('minute'), v('second'));
  return Math.round((local - Math.floor(ms / 1000) * 1000) / 60_000);
}

/** An event time as Graph gives it: local to the event's zone with its offset (2026-12-04T10:00:00+0100). */
export function zonedGraphTime(ms: number | null | undefined, zone: string): string | undefined {
  if (ms === null || ms === undefined) return undefined;
  const offset = zoneOffsetMinutes(ms, zone);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const local = new Date(ms + offset * 60_000).toISOString().slice(0, 19);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}
