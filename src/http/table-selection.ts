/**
 * Row filters and column selection of a table download, from the query string (like CAVE's
 * query_table): `?{column}=v` (repeated: any of the values), `?{column}.gte=v` / `.lte=v` (a
 * range), `?columns=a,b` (a projection, in the order given). Column names are checked against the
 * table's columns (the names of the upload or any spelling the schema accepts) and values against
 * the column's type; the values reach the engine only as bound parameters.
 */
import type { Request } from 'express';
import { HttpError } from './problem.js';
import { queryString } from './query-string.js';
import { valueFits, type ColumnSpec, type Filter } from '../store/tables/table-files.js';
import type { TableSchema } from '../model/tables/schema.js';

/** Query parameters that are not column filters. */
const RESERVED = new Set(['version', 'format', 'columns', 'triples']);
export const MAX_FILTER_VALUES = 100_000;

export interface TableSelection { columns: ColumnSpec[]; filters: Filter[]; projected: boolean }

export function tableSelection(req: Request, specs: ColumnSpec[], schema?: TableSchema): TableSelection {
  const q = new URLSearchParams(queryString(req));
  const byName = new Map(specs.map((c) => [c.name, c]));
  const column = (name: string, param: string): ColumnSpec => {
    const direct = byName.get(name);
    if (direct) return direct;
    // another spelling of a column the table has (e.g. the schema's name for an alias used in the upload)
    const def = schema && (schema.byAlias.get(name) ?? schema.byAlias.get(name.toLowerCase()));
    const same = schema && def && specs.find((c) => { const d = schema.byAlias.get(c.name) ?? schema.byAlias.get(c.name.toLowerCase()); return d?.property === def.property; });
    if (same) return same;
    throw new HttpError(400, 'Unknown Column', `"${name}" (in ${param}) is not a column of this table; its columns are: ${specs.map((c) => c.name).join(', ')}`, { parameter: param });
  };
  const filters = new Map<string, Filter>();
  let count = 0;
  for (const [key, value] of q) {
    if (RESERVED.has(key)) continue;
    const m = /^(.*)\.(gte|lte)$/.exec(key);
    const col = column(m ? m[1] : key, key);
    if (!valueFits(col.type, value)) throw new HttpError(400, 'Bad Filter Value', `${key}=${JSON.stringify(value)}: the column ${col.name} holds ${col.type === 'VARCHAR' ? 'text' : col.type === 'DOUBLE' ? 'numbers' : col.type === 'BOOLEAN' ? 'true/false' : 'whole numbers'}`, { parameter: key });
    if (++count > MAX_FILTER_VALUES) throw new HttpError(400, 'Too Many Filter Values', `at most ${MAX_FILTER_VALUES.toLocaleString('en')} filter values in one request`);
    const op = m ? m[2] as 'gte' | 'lte' : 'in';
    const k = `${col.name}\u0000${op}`;
    const f = filters.get(k);
    if (f && op !== 'in') throw new HttpError(400, 'Bad Request', `${key} is given twice; give one lower and one upper bound`, { parameter: key });
    if (f) f.values.push(value); else filters.set(k, { column: col.name, op, values: [value] });
  }
  const cols = q.getAll('columns').flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
  const seen = new Set<string>();
  const projection = cols.map((c) => column(c, 'columns')).filter((c) => (seen.has(c.name) ? false : (seen.add(c.name), true)));
  return { columns: projection.length ? projection : specs, filters: [...filters.values()], projected: projection.length > 0 };
}
