/**
 * Fiscal-year arithmetic shared by the models. The fiscal year is named by its first day
 * (FISCAL_YEAR_START), not by a year number: whether "FY2026" means the year that starts or ends
 * in 2026 varies by company, so no label is guessed.
 */

/** Throws a RangeError unless `m` is a whole month number 1–12. */
export function validateFiscalYearStartMonth(m: number): void {
  if (!Number.isInteger(m) || m < 1 || m > 12) throw new RangeError(`The fiscal year start month must be a whole number from 1 to 12, not ${m}.`);
}

/** SQL for the first day of the fiscal year containing the DATE expression `dateSql`. */
export function fiscalYearStartSql(dateSql: string, startMonth: number): string {
  validateFiscalYearStartMonth(startMonth);
  const shift = startMonth - 1;
  if (shift === 0) return `CAST(date_trunc('year', ${dateSql}) AS DATE)`;
  return `CAST(date_trunc('year', ${dateSql} - INTERVAL '${shift} month') + INTERVAL '${shift} month' AS DATE)`;
}
