/**
 * One CSV field as RFC 4180 writes it: quoted (quotes doubled) when it holds a quote, comma or line break.
 *
 * Kept instead of csv-stringify on purpose: table downloads write every field of millions of rows
 * through here (goal ≥ 1 M rows/s), and csv-stringify's sync API took 3.9–4.9× as long for the
 * same bytes (1 M nine-column synapse rows, 0.72 s against 2.8–3.5 s, 2026-12-07). Its output is
 * checked against csv-parse, the parser we read CSV with (test/csv-field.test.ts).
 */
export function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
