/** Calendar-day arithmetic on `YYYY-MM-DD` text (UTC days): date partitions and their splits. */

export const DAY_MS = 86_400_000;

export const dayMs = (d: string): number => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10)));
export const dayText = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Whole days from `from` to `to`. */
export function dayDiff(from: string, to: string): number {
  return Math.round((dayMs(to) - dayMs(from)) / DAY_MS);
}

export function addDays(d: string, n: number): string {
  return dayText(dayMs(d) + n * DAY_MS);
}
