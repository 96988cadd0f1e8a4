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
