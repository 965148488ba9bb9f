import { describe, expect, it } from 'vitest';
import {
  addDays,
  daysBetween,
  endOfDayExclusive,
  isLocalDate,
  isValidTimeZone,
  localDateOf,
  startOfDay,
} from './zoned-date.ts';

describe('calendar dates in the organisation time zone', () => {
  it.each([
    // instant, zone, local date
    ['2026-03-01T23:30:00Z', 'UTC', '2026-03-01'],
    ['2026-03-01T23:30:00Z', 'Europe/Amsterdam', '2026-03-02'],
    ['2026-07-01T21:59:59Z', 'Europe/Amsterdam', '2026-07-01'], // CEST, +02:00
    ['2026-07-01T22:00:00Z', 'Europe/Amsterdam', '2026-07-02'],
    ['2026-03-02T03:29:59Z', 'America/St_Johns', '2026-03-01'], // -03:30
    ['2026-03-02T03:30:00Z', 'America/St_Johns', '2026-03-02'],
    ['2026-03-01T10:00:00Z', 'Pacific/Kiritimati', '2026-03-02'], // +14:00
    ['2026-03-01T18:14:59Z', 'Asia/Kathmandu', '2026-03-01'], // +05:45
    ['2026-03-01T18:15:00Z', 'Asia/Kathmandu', '2026-03-02'],
  ])('%s in %s is %s', (instant, zone, date) => {
    expect(localDateOf(instant, zone)).toBe(date);
  });

  it.each([
    ['2026-03-01', 'UTC', '2026-03-01T00:00:00.000Z'],
    ['2026-03-01', 'Europe/Amsterdam', '2026-02-28T23:00:00.000Z'],
    ['2026-03-29', 'Europe/Amsterdam', '2026-03-28T23:00:00.000Z'], // spring forward at 02:00, day is 23 h
    ['2026-03-30', 'Europe/Amsterdam', '2026-03-29T22:00:00.000Z'],
    ['2026-10-25', 'Europe/Amsterdam', '2026-10-24T22:00:00.000Z'], // fall back, day is 25 h
    ['2026-10-26', 'Europe/Amsterdam', '2026-10-25T23:00:00.000Z'],
    ['2026-03-01', 'America/St_Johns', '2026-03-01T03:30:00.000Z'],
    ['2026-03-01', 'Pacific/Kiritimati', '2026-02-28T10:00:00.000Z'],
    ['2026-03-01', 'Asia/Kathmandu', '2026-02-28T18:15:00.000Z'],
    // Midnight does not exist in Santiago on 2022-09-11: the day starts at 01:00 (-03:00).
    ['2022-09-11', 'America/Santiago', '2022-09-11T04:00:00.000Z'],
    ['2022-09-10', 'America/Santiago', '2022-09-10T04:00:00.000Z'],
  ])('%s in %s starts at %s', (date, zone, start) => {
    expect(startOfDay(date, zone).toISOString()).toBe(start);
  });

  it('ends a day where the next one starts, so 23 and 25 hour days count whole', () => {
    const zone = 'Europe/Amsterdam';
    const hours = (date: string) =>
      (endOfDayExclusive(date, zone).getTime() - startOfDay(date, zone).getTime()) / 3.6e6;
    expect(hours('2026-03-29')).toBe(23);
    expect(hours('2026-10-25')).toBe(25);
    expect(hours('2026-06-15')).toBe(24);
  });

  it('does calendar arithmetic across months, leap days and years', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(daysBetween('2026-01-10', '2026-02-09')).toBe(30);
    expect(daysBetween('2026-03-28', '2026-03-30')).toBe(2); // unaffected by DST
    expect(daysBetween('2026-02-09', '2026-01-10')).toBe(-30);
  });

  it('tells real calendar dates and zones from impostors', () => {
    expect(isLocalDate('2028-02-29')).toBe(true);
    expect(isLocalDate('2026-02-29')).toBe(false);
    expect(isLocalDate('2026-13-01')).toBe(false);
    expect(isLocalDate('2026-1-01')).toBe(false);
    expect(isValidTimeZone('Europe/Amsterdam')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });
});
