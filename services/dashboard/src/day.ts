/** Calendar days (YYYY-MM-DD) of the organisation, and times in the viewer's locale. */

const DAY_MS = 86_400_000;

export const addDays = (day: string, days: number): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

export const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);

/** A calendar day as the viewer's locale writes it ("Fri, 4 Dec 2026"). */
export const formatDay = (day: string, style: 'long' | 'short' = 'long'): string =>
  new Intl.DateTimeFormat(undefined, {
    timeZone: 'UTC',
    ...(style === 'long'
      ? { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }
      : { day: 'numeric', month: 'short' }),
  }).format(new Date(`${day}T00:00:00Z`));

/** An instant in the viewer's locale and time zone. */
export const formatTime = (iso: string): string =>
  new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));

/** The calendar day of an instant in a time zone (the organisation's). */
export const dayIn = (iso: string, timeZone: string): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(iso),
  );

/** Seconds since the epoch of a day's start in UTC: the x values of the charts (one per day). */
export const chartX = (day: string): number => Date.parse(`${day}T00:00:00Z`) / 1000;

export const isDay = (text: string | null | undefined): text is string =>
  !!text && /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`));
