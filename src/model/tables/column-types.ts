/**
 * The Parquet type of each column of a validated table, from its CSVW datatype and, for integers,
 * the widths of the values: BIGINT when every value fits 64 bits signed, UBIGINT unsigned,
 * DECIMAL(38,0) up to 38 digits, else text (never a floating-point type: ids above 2^53 stay
 * exact). The widths are seen row by row (ColumnTypes.see, the JavaScript validator) or measured
 * by SQL over the staged table (sql-profile.ts): both decide with `typeOf`.
 */
import { NS } from '../namespaces.js';
import { PARENT_TABLE, type ColumnMap } from './rows.js';
import type { ColumnType } from '../../store/tables/table-files.js';

export const INTEGER_TYPES = new Set(['integer', 'nonNegativeInteger', 'positiveInteger', 'negativeInteger', 'nonPositiveInteger', 'long', 'int', 'short', 'byte', 'unsignedLong', 'unsignedInt', 'unsignedShort', 'unsignedByte'].map((l) => NS.xsd + l));

/** What decides an integer column's type: a negative value seen, the largest absolute value, more than 38 digits. */
export interface IntegerWidth { neg: boolean; big: bigint; huge: boolean }

/** Whether column `i` of the map is a single-valued integer literal (its type depends on its values). */
export function isIntegerColumn(map: ColumnMap, i: number): boolean {
  const c = map.cols[i];
  return c !== undefined && c !== PARENT_TABLE && c.kind === 'literal' && !c.multi && !!c.datatype && INTEGER_TYPES.has(c.datatype);
}

/** The type of column `i`, given the widths of its values when it is an integer column. */
export function typeOf(map: ColumnMap, i: number, w: IntegerWidth | undefined): ColumnType {
  const c = map.cols[i];
  if (c === undefined || c === PARENT_TABLE || c.kind !== 'literal' || c.multi || !c.datatype) return 'VARCHAR';
  if (c.datatype === `${NS.xsd}double` || c.datatype === `${NS.xsd}float`) return 'DOUBLE';
  if (c.datatype === `${NS.xsd}boolean`) return 'BOOLEAN';
  if (!INTEGER_TYPES.has(c.datatype)) return 'VARCHAR';
  if (!w) return 'BIGINT';
  if (w.huge) return 'VARCHAR';
  if (w.big < 2n ** 63n) return 'BIGINT';
  if (!w.neg && w.big < 2n ** 64n) return 'UBIGINT';
  return 'DECIMAL(38,0)';
}

/** The widths of the integer columns, seen row by row. */
export class ColumnTypes {
  private widths = new Map<number, IntegerWidth>();

  see(map: ColumnMap, rec: string[]) {
    for (let i = 0; i < map.cols.length; i++) {
      if (!isIntegerColumn(map, i)) continue;
      const v = rec[i];
      if (!v) continue;
      let w = this.widths.get(i);
      if (!w) { w = { neg: false, big: 0n, huge: false }; this.widths.set(i, w); }
      if (v.charCodeAt(0) === 45 /* - */) w.neg = true;
      if (v.length > 18 && /^[+-]?[0-9]+$/.test(v)) {
        const digits = v.replace(/^[+-]?0*/, '');
        if (digits.length > 38) w.huge = true;
        else { const b = BigInt(digits || '0'); if (b > w.big) w.big = b; }
      }
    }
  }

  type(map: ColumnMap, i: number): ColumnType {
    return typeOf(map, i, this.widths.get(i));
  }
}
