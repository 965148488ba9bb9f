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

  it.each([
    ['Europe/Amsterdam', 1937], // +00:19:32 then +00:20: offsets that change mid-quarter-hour
    ['America/Havana', 2026], // DST switches at midnight
    ['Australia/Lord_Howe', 2026], // 30-minute DST
  ])('dates every instant of %s in %i as Intl does', (zone, year) => {
    const reference = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    const mismatches: string[] = [];
    for (let ms = Date.UTC(year, 0, 1); ms < Date.UTC(year + 1, 0, 1); ms += 7 * 60_000 + 1_000) {
      if (localDateOf(ms, zone) !== reference.format(ms)) mismatches.push(new Date(ms).toISOString());
    }
    expect(mismatches.slice(0, 3)).toEqual([]);
  });

  it('keeps years 0-99 as they are', () => {
    expect(isLocalDate('0100-02-29')).toBe(false);
    expect(isLocalDate('0096-02-29')).toBe(true);
    expect(addDays('0099-12-31', 1)).toBe('0100-01-01');
  });
});

describe('days that DST or a date-line move reshapes', () => {
  it.each([
    // date, zone, first instant, first instant of the next date
    ['2022-09-11', 'America/Santiago', '2022-09-11T04:00:00.000Z', '2022-09-12T03:00:00.000Z'], // 23 h
    ['2022-04-02', 'America/Santiago', '2022-04-02T03:00:00.000Z', '2022-04-03T04:00:00.000Z'], // 25 h
    // Sao Paulo fell back from 00:00 to 23:00 the day before: 2018-02-17 has 25 h.
    ['2018-02-17', 'America/Sao_Paulo', '2018-02-17T02:00:00.000Z', '2018-02-18T03:00:00.000Z'],
    // Samoa skipped 2011-12-30 entirely: the day is empty.
    ['2011-12-29', 'Pacific/Apia', '2011-12-29T10:00:00.000Z', '2011-12-30T10:00:00.000Z'],
    ['2011-12-30', 'Pacific/Apia', '2011-12-30T10:00:00.000Z', '2011-12-30T10:00:00.000Z'],
  ])('%s in %s runs from %s to %s', (date, zone, start, end) => {
    expect(startOfDay(date, zone).toISOString()).toBe(start);
    expect(endOfDayExclusive(date, zone).toISOString()).toBe(end);
  });

  it('gives every instant the date Intl gives it, historic odd offsets included', () => {
    // Liberia ran on -00:44:30 until 1972, Amsterdam on +00:20 until 1940:
    // transitions that fall inside a quarter hour.
    const cases: [string, number, number][] = [
      ['Africa/Monrovia', Date.UTC(1972, 0, 6, 12), Date.UTC(1972, 0, 7, 12)],
      ['Africa/Monrovia', Date.UTC(1919, 1, 28, 12), Date.UTC(1919, 2, 1, 12)],
      ['Europe/Amsterdam', Date.UTC(1937, 5, 30, 12), Date.UTC(1937, 6, 1, 12)],
      ['Europe/Amsterdam', Date.UTC(2026, 9, 24, 12), Date.UTC(2026, 9, 25, 12)],
    ];
    for (const [zone, from, to] of cases) {
      const exact = new Intl.DateTimeFormat('en-CA', { timeZone: zone, dateStyle: 'short' });
      for (let ms = from; ms < to; ms += 30_000) {
        expect(localDateOf(ms, zone), `${zone} ${new Date(ms).toISOString()}`).toBe(exact.format(ms));
      }
    }
  });

  it('keeps years 0-99 as they are (Date.UTC would map them to 19xx)', () => {
    expect(isLocalDate('0000-02-29')).toBe(true);
    expect(isLocalDate('1900-02-29')).toBe(false);
    expect(addDays('0099-12-31', 1)).toBe('0100-01-01');
    expect(daysBetween('0004-02-28', '0004-03-01')).toBe(2);
  });

  it('rejects what is not a date, an instant or a whole number of days', () => {
    expect(() => addDays('2026-02-30', 1)).toThrow(RangeError);
    expect(() => addDays('2026-02-01', 1.5)).toThrow(RangeError);
    expect(() => localDateOf('yesterday', 'UTC')).toThrow(RangeError);
    expect(() => startOfDay('2026-3-1', 'UTC')).toThrow(/calendar date/);
  });
});
