/** RFC 4180 field quoting for the CSV the importers write. */
export function csvFieldOut(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
