/**
 * The relation rowCheckQueries (sql-checks.ts) expects, read by DuckDB from an uploaded CSV file:
 * every field as uploaded (VARCHAR, untrimmed, no type detection), columns named as the header,
 * and `__row` numbered as the JavaScript validator numbers records (csv-parse, skip_empty_lines).
 *
 * Checked (test/tables-sql-checks.test.ts): a BOM, CRLF or LF line ends, quoted fields with
 * commas, quotes and line breaks, blank lines (skipped, not numbered) and whitespace kept as
 * written; `row_number() OVER ()` follows the file order (also with DuckDB's parallel reader).
 * Not covered: a record with more or fewer fields than the header makes DuckDB's reader fail
 * (a "CSV Error on Line" Invalid Input error): report it as a malformed table, or validate that
 * file with the JavaScript validator, which reports syndb:FieldCount per record.
 */
import { sqlString } from './sql-checks.js';

export function csvRelation(path: string, columns: string[]): string {
  // positional column names: DuckDB's header detection renames duplicates and empty names
  const cols = columns.map((c) => `${sqlString(c)}: 'VARCHAR'`).join(', ');
  return `(SELECT row_number() OVER () AS __row, * FROM read_csv(${sqlString(path)}, auto_detect = false, header = false, skip = 1, delim = ',', quote = '"', escape = '"', columns = {${cols}}))`;
}

