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

const QUARTER_HOUR_MS = 15 * 60_000;
const MAX_CACHED = 200_000;
const offsetsByZone = new Map<string, Map<number, number>>();
const dayNames = new Map<number, LocalDate>();
const startCache = new Map<string, number>();

// Today's zone offsets change only on quarter-hour boundaries, so one lookup
// per zone and quarter hour serves every instant in it: the projector dates
// millions of events, and Intl formatting is the slow part. Historic offsets
// such as +00:20 change mid-quarter; such a quarter is marked NaN and its
// instants are looked up one by one.
function cachedOffset(ms: number, timeZone: string): number {
  let offsets = offsetsByZone.get(timeZone);
  if (offsets === undefined) {
    offsets = new Map();
    offsetsByZone.set(timeZone, offsets);
  }
  const bucket = Math.floor(ms / QUARTER_HOUR_MS);
  let offset = offsets.get(bucket);
  if (offset === undefined) {
    const atStart = offsetAt(bucket * QUARTER_HOUR_MS, timeZone);
    offset = atStart === offsetAt((bucket + 1) * QUARTER_HOUR_MS, timeZone) ? atStart : Number.NaN;
    if (offsets.size >= MAX_CACHED) offsets.clear();
    offsets.set(bucket, offset);
  }
  return Number.isNaN(offset) ? offsetAt(ms, timeZone) : offset;
}

/** The calendar date of an instant in a zone. */
export function localDateOf(instant: Date | string | number, timeZone: string): LocalDate {
  const ms =
    instant instanceof Date ? instant.getTime() : typeof instant === 'string' ? Date.parse(instant) : instant;
  if (!Number.isFinite(ms)) throw new RangeError(`not an instant: ${String(instant)}`);
  const offset = timeZone === 'UTC' ? 0 : cachedOffset(ms, timeZone);
  // A few thousand days name millions of instants: format each day once.
  const day = Math.floor((ms + offset) / DAY_MS);
  let name = dayNames.get(day);
  if (name === undefined) {
    name = new Date(day * DAY_MS).toISOString().slice(0, 10);
    if (dayNames.size >= MAX_CACHED) dayNames.clear();
    dayNames.set(day, name);
  }
  return name;
}

const midnights = new Map<LocalDate, number>();

// Date arithmetic (addDays, daysBetween) parses the same few thousand dates
// millions of times in a rebuild: remember them.
function utcMidnight(date: LocalDate): number {
  const known = midnights.get(date);
  if (known !== undefined) return known;
  const m = LOCAL_DATE.exec(date);
  if (!m || !isLocalDate(date)) throw new RangeError(`not a calendar date (YYYY-MM-DD): ${date}`);
  // setUTCFullYear, unlike Date.UTC, keeps years 0-99 as they are.
  const ms = new Date(0).setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (midnights.size >= MAX_CACHED) midnights.clear();
  midnights.set(date, ms);
  return ms;
}

/** Zone offset (local - UTC) in ms at an instant. */
function offsetAt(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  const asUtc =
    new Date(0).setUTCFullYear(w.year, w.month - 1, w.day) +
    ((w.hour * 60 + w.minute) * 60 + w.second) * 1000;
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
  // Local midnight read with the offsets a day either side: one of them is
  // right unless a transition hides midnight.
  const onDate = [offsetAt(midnight - DAY_MS, timeZone), offsetAt(midnight + DAY_MS, timeZone)]
    .map((offset) => midnight - offset)
    .filter((candidate) => localDateOf(candidate, timeZone) === date);
  if (onDate.length === 0) return firstInstantFrom(date, midnight, timeZone);
  // The earliest wins where midnight comes twice (clocks set back over it).
  let start = Math.min(...onDate);
  // Where clocks jump over midnight the date began at the jump, before the
  // candidate: step back past it, then forward to its exact second.
  while (localDateOf(start - 1000, timeZone) === date) start -= QUARTER_HOUR_MS;
  while (localDateOf(start, timeZone) !== date) start += 1000;
  return start;
}

/**
 * The first instant dated `date` or later, by bisection. Reached only when no
 * reading of midnight lands on the date; a date that a zone skipped whole
 * (Pacific/Apia 2011-12-30) then starts, and ends, where the next one starts.
 */
function firstInstantFrom(date: LocalDate, midnight: number, timeZone: string): number {
  let before = midnight - 2 * DAY_MS;
  let from = midnight + 2 * DAY_MS;
  while (from - before > 1) {
    const mid = Math.floor((before + from) / 2);
    if (localDateOf(mid, timeZone) < date) before = mid;
    else from = mid;
  }
  return from;
}

/** The first instant of the next date: an event counts for D iff occurredAt < this. */
export function endOfDayExclusive(date: LocalDate, timeZone: string): Date {
  return startOfDay(addDays(date, 1), timeZone);
}

export function addDays(date: LocalDate, days: number): LocalDate {
  if (!Number.isInteger(days)) throw new RangeError(`not a whole number of days: ${days}`);
  const d = new Date(utcMidnight(date) + days * DAY_MS);
  return toLocalDate({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() });
}

/** `to - from` in whole calendar days. */
export function daysBetween(from: LocalDate, to: LocalDate): number {
  return Math.round((utcMidnight(to) - utcMidnight(from)) / DAY_MS);
}
