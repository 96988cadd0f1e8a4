import { DAY_MS } from "./clock.ts";

// The site's calendar and clock: Taipei. Taiwan keeps one offset all year (no daylight saving).
export const SITE_TIME_ZONE = "Asia/Taipei";

// Made once: pages format every row's time with it.
const siteTime = new Intl.DateTimeFormat("zh-TW", {
  timeZone: SITE_TIME_ZONE,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hour12: false,
});

/** Taipei wall-clock time for a timestamp, as the site's readers and moderators read it (2026/12/06 14:49). */
export function formatSiteTime(time: Date): string {
  return siteTime.format(time);
}

/** Taipei is UTC+8 all year. */
export const SITE_OFFSET_MS = 8 * 3600 * 1000;

/** The Taipei calendar day (YYYY-MM-DD) a timestamp falls on. */
export function siteDayOf(time: Date): string {
  return new Date(time.getTime() + SITE_OFFSET_MS).toISOString().slice(0, 10);
}

/** Midnight in Taipei at the start of a calendar day (YYYY-MM-DD), or `days` later; null for a string that is no such day. */
export function siteMidnight(day: string, days = 0): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const utc = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(utc) || new Date(utc).toISOString().slice(0, 10) !== day) return null;
  return new Date(utc - SITE_OFFSET_MS + days * DAY_MS);
}
