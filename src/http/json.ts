/**
 * JSON.parse that keeps every digit of long integers. Clients send ids as JSON numbers (Meta's
 * own samples send `"recipient":{"ids":[…]}` and SCIM `managerId` unquoted), and a double keeps
 * only 15–17 significant digits: an integer literal of 16 or more digits — every id, whether or not
 * it still fits in a double — arrives as a string of its exact digits. Fractions and exponents
 * are left as numbers. Throws SyntaxError like JSON.parse.
 */
export function parseExactJson(text: string): unknown {
  if (!/\d{16}/.test(text)) return JSON.parse(text);
  const parts: string[] = [];
  let copied = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip a string, escapes included.
      i++;
      while (i < text.length && text.charCodeAt(i) !== 0x22) i += text.charCodeAt(i) === 0x5c ? 2 : 1;
      i++;
      continue;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const start = i;
      if (c === 0x2d) i++;
      while (i < text.length && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++;
      const next = text[i];
      const digits = i - start - (c === 0x2d ? 1 : 0);
      if (next === '.' || next === 'e' || next === 'E') {
        // A fraction or exponent: the rest of the number token stays a number.
        while (i < text.length && /[0-9.eE+-]/.test(text[i])) i++;
      } else if (digits >= 16) {
        parts.push(text.slice(copied, start), `"${text.slice(start, i)}"`);
        copied = i;
      }
      continue;
    }
    i++;
  }
  parts.push(text.slice(copied));
  return JSON.parse(parts.join(''));
}
