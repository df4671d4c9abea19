/**
 * The rejection report from the SQL row checks (sql-checks.ts): every query's problems as one
 * relation, the count of each kind, and the first problems (by row) as the service's RowProblem.
 * Run `counts` and `first` over a materialized copy (CREATE TEMP TABLE … AS allProblems(q)) when
 * the table may have many problems, so the checks run once.
 */
import type { RowProblem } from './rows.js';

/** All problems of the row checks: one relation ("row", "column", value, message, kind, path). */
export const allProblems = (queries: string[]) => queries.map((q) => `(${q})`).join(' UNION ALL ');

/** SQL for the count of problems of each kind, and for the first `limit` problems in row order. */
export function reportQueries(problems: string, limit: number): { counts: string; first: string } {
  return {
    counts: `SELECT kind, count(*) AS n FROM ${problems} GROUP BY kind ORDER BY kind`,
    // values travel as base64: @duckdb/node-api decodes strings with a TextDecoder that drops a leading U+FEFF
    first: `SELECT "row", "column", to_base64(encode(value)) AS value64, message, kind, path FROM ${problems} ORDER BY "row", "column", kind, value LIMIT ${Math.max(0, Math.floor(limit))}`,
  };
}

/** A row of the `first` query as the JavaScript validator's RowProblem. */
export function toRowProblem(r: Record<string, unknown>): RowProblem {
  const p: RowProblem = { row: Number(r.row), column: String(r.column), expected: String(r.message), kind: String(r.kind) };
  if (r.value64 !== null && r.value64 !== undefined) p.value = Buffer.from(String(r.value64), 'base64').toString('utf8');
  if (r.path !== null && r.path !== undefined) p.path = String(r.path);
  return p;
}
