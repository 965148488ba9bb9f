import { daysInMonth } from './rfc3339.ts';

/** A calendar date, 'YYYY-MM-DD', in the organisation's time zone. */
export type LocalDate = string;

const DAY_MS = 86_400_000;
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const formatters = new Map<string, Intl.DateTimeFormat>();

// One formatter per zone: constructing them is the expensive part.
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

export function isLocalDate(text: string): boolean {
  const m = LOCAL_DATE.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClock(ms: number, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(ms)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const toLocalDate = (w: { year: number; month: number; day: number }): LocalDate =>
  `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;

const OFFSET_BUCKET_MS = 15 * 60_000;
const MAX_CACHED = 200_000;
const offsetCache = new Map<string, number>();
const startCache = new Map<string, number>();

// Zone offsets only change on quarter-hour boundaries, so one Intl call per
// zone and quarter hour serves every instant in it: the projector dates
// millions of events, and Intl formatting is the slow part.
function cachedOffset(ms: number, timeZone: string): number {
  const bucket = Math.floor(ms / OFFSET_BUCKET_MS);
  const key = `${timeZone}|${bucket}`;
  let offset = offsetCache.get(key);
  if (offset === undefined) {
    offset = offsetAt(bucket * OFFSET_BUCKET_MS, timeZone);
    if (offsetCache.size >= MAX_CACHED) offsetCache.clear();
    offsetCache.set(key, offset);
  }
  return offset;
}

/** The calendar date of an instant in a zone. */
export function localDateOf(instant: Date | string | number, timeZone: string): LocalDate {
  const ms =
    instant instanceof Date ? instant.getTime() : typeof instant === 'string' ? Date.parse(instant) : instant;
  const offset = timeZone === 'UTC' ? 0 : cachedOffset(ms, timeZone);
  return new Date(ms + offset).toISOString().slice(0, 10);
}

function utcMidnight(date: LocalDate): number {
  const m = LOCAL_DATE.exec(date);
  if (!m || !isLocalDate(date)) throw new RangeError(`not a calendar date: ${date}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

/** Zone offset (local - UTC) in ms at an instant. */
function offsetAt(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The first instant of a date in a zone. Usually local midnight; where a DST
 * change skips midnight (e.g. America/Santiago), the first instant that exists.
 */
export function startOfDay(date: LocalDate, timeZone: string): Date {
  if (timeZone === 'UTC') return new Date(utcMidnight(date));
  const key = `${timeZone}|${date}`;
  let start = startCache.get(key);
  if (start === undefined) {
    start = computeStartOfDay(date, timeZone);
    if (startCache.size >= MAX_CACHED) startCache.clear();
    startCache.set(key, start);
  }
  return new Date(start);
}

function computeStartOfDay(date: LocalDate, timeZone: string): number {
  const midnight = utcMidnight(date);
  // Offsets on either side of the day bracket every candidate.
  const candidates = [offsetAt(midnight - DAY_MS, timeZone), offsetAt(midnight + DAY_MS, timeZone)].map(
    (offset) => midnight - offset,
  );
  let best: number | undefined;
  for (const candidate of candidates) {
    if (localDateOf(candidate, timeZone) !== date) continue;
    if (best === undefined || candidate < best) best = candidate;
  }
  if (best === undefined) {
    // Midnight does not exist: the day starts at the transition, found by bisection.
    let lo = Math.min(...candidates) - DAY_MS;
    let hi = Math.max(...candidates) + DAY_MS;
    while (hi - lo > 1000) {
      const mid = Math.floor((lo + hi) / 2);
      if (localDateOf(mid, timeZone) < date) lo = mid;
      else hi = mid;
    }
    best = hi;
  }
  // The same local midnight may come twice (clock set back over midnight): take the first.
  while (localDateOf(best - 1000, timeZone) === date) best -= 1000 * 60 * 15;
  while (localDateOf(best, timeZone) !== date) best += 1000;
  return best;
}

/** The first instant of the next date: an event counts for D iff occurredAt < this. */
export function endOfDayExclusive(date: LocalDate, timeZone: string): Date {
  return startOfDay(addDays(date, 1), timeZone);
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(utcMidnight(date) + days * DAY_MS);
  return toLocalDate({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() });
}

/** `to - from` in whole calendar days. */
export function daysBetween(from: LocalDate, to: LocalDate): number {
  return Math.round((utcMidnight(to) - utcMidnight(from)) / DAY_MS);
}
