import { randomInt } from 'node:crypto';

// Ids are numeric strings like Workplace's: milliseconds since the epoch times 8192 plus a
// per-process sequence that starts at a random point, so ids sort by creation and two
// processes (server and CLI) rarely meet. Every id has the same number of digits until 2248.
let sequence = randomInt(8192);
let lastMs = 0;

export function newId(): string {
  let ms = Date.now();
  if (ms < lastMs) ms = lastMs;
  sequence = (sequence + 1) % 8192;
  if (ms === lastMs && sequence === 0) ms += 1;
  lastMs = ms;
  return (BigInt(ms) * 8192n + BigInt(sequence)).toString();
}

export function isNumericId(value: string): boolean {
  return /^[0-9]{1,20}$/.test(value);
}
