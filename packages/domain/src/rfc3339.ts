// RFC 3339 date-time with a mandatory offset ('Z' or ±hh:mm). Date.parse alone
// accepts far too much (no offset, 2026-02-30 rolled over), so the fields are
// checked against the calendar explicitly.
export const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-](\d{2}):(\d{2}))$/;

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

// Computed, not read from Date.UTC, which maps years 0-99 to 1900-1999.
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The instant as `toISOString()` (UTC, milliseconds), or null when not RFC 3339 with offset. */
export function normaliseRfc3339(text: string): string | null {
  // Already normal (every stored event's instants): what a round trip keeps
  // is a real calendar instant. The projector checks millions of them.
  if (isNormalInstant(text)) return text;
  const m = RFC3339.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return null;
  const ms = Date.parse(text.toUpperCase().replace(' ', 'T'));
  if (Number.isNaN(ms)) return null;
  // Years 0001-9999 in UTC: PostgreSQL has no year 0, and an offset can push
  // 9999-12-31 into year 10000, which no 'YYYY' date can hold.
  const iso = new Date(ms).toISOString();
  return /^\d{4}-/.test(iso) && !iso.startsWith('0000') ? iso : null;
}

const DIGITS_AT = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22];
const SEPARATORS: readonly [number, number][] = [
  [4, 45], // -
  [7, 45],
  [10, 84], // T
  [13, 58], // :
  [16, 58],
  [19, 46], // .
  [23, 90], // Z
];

/**
 * `YYYY-MM-DDTHH:MM:SS.mmmZ` on a real calendar day, years 0001-9999: what
 * `toISOString()` gives, so the normal form of itself. Checked character by
 * character: the projector checks millions, and a parse and a format back
 * cost twenty times as much.
 */
function isNormalInstant(text: string): boolean {
  if (text.length !== 24) return false;
  for (const [at, code] of SEPARATORS) if (text.charCodeAt(at) !== code) return false;
  for (const at of DIGITS_AT) {
    const code = text.charCodeAt(at);
    if (code < 48 || code > 57) return false;
  }
  const number = (from: number, to: number) => Number(text.slice(from, to));
  const year = number(0, 4);
  const month = number(5, 7);
  const day = number(8, 10);
  return (
    year >= 1 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    number(11, 13) <= 23 &&
    number(14, 16) <= 59 &&
    number(17, 19) <= 59
  );
}
