/**
 * Links that must name an existing row: a single-valued link column whose target table is known
 * (`neuron_id` -> the neuron table, `parent_id` -> the table parent_table names or the column's
 * only target). Such a link is checked when the dataset has the target table (the upload itself
 * when the target is the uploaded table): the id must be the cid of a row there. A link to a
 * table the dataset does not have (yet) is not checked: tables may be uploaded in any order.
 * Links to "any table" (pre_id, post_id, forms_synapse_with) are not checked either.
 *
 * The same rule is compiled to SQL in sql-checks.ts; both validators report the same problem.
 */
import { NS } from '../namespaces.js';
import { findCompartment } from '../compartment-names.js';
import type { ColumnDef, TableSchema } from './schema.js';
import { FALLBACK_TARGET, PARENT_TABLE, type ColumnMap, type RowProblem } from './rows.js';

export const DANGLING_LINK = 'syndb:DanglingLink';

/** Whether links of this column are checked for existence (when their target table is present). */
export function isCheckedLink(col: ColumnDef): boolean {
  return col.kind === 'link' && !col.multi && (col.targets?.length ?? 0) > 0;
}

/** The table a link of `col` names when the row does not say (no parent_table): the only target or the fallback. */
export function staticTarget(col: ColumnDef): string | undefined {
  return col.targets?.length === 1 ? col.targets[0] : FALLBACK_TARGET[col.property];
}

export const danglingLinkMessage = (col: ColumnDef, target: string) =>
  `${col.name} must name an existing row of the ${target} table of the dataset; the ${target} table has no row with this cid`;

/** The checked link columns of a mapped header, collecting the ids they name per target table. */
export class LinkChecks {
  readonly cols: Array<{ i: number; col: ColumnDef }> = [];
  /** Target table slug -> the distinct ids named (as written). */
  readonly ids = new Map<string, Set<string>>();

  /** `present(target)`: whether the dataset has that table (ids naming tables it lacks are not collected). */
  constructor(readonly schema: TableSchema, readonly map: ColumnMap, readonly present: (target: string) => boolean = () => true) {
    map.cols.forEach((c, i) => { if (c !== undefined && c !== PARENT_TABLE && isCheckedLink(c)) this.cols.push({ i, col: c }); });
  }

  /** The target of the link in column `col` of `rec`, when it is one of the column's targets. */
  private target(col: ColumnDef, rec: string[]): string | undefined {
    const pt = this.map.parentTableIndex >= 0 ? (rec[this.map.parentTableIndex] ?? '').trim() : '';
    const t = col.property === `${NS.syndb}parent` && pt ? findCompartment(pt)?.slug : staticTarget(col);
    return t !== undefined && col.targets!.includes(t) ? t : undefined;
  }

  /** Record the ids a record names (pass 1). */
  note(rec: string[]): void {
    for (const { i, col } of this.cols) {
      const v = rec[i] ?? '';
      if (v === '') continue;
      const t = this.target(col, rec);
      if (t === undefined || !this.present(t)) continue;
      let s = this.ids.get(t);
      if (!s) { s = new Set(); this.ids.set(t, s); }
      s.add(v);
    }
  }

  /** The record's links to rows that do not exist (`missing(target, id)`), as problems. */
  problems(rec: string[], row: number, missing: (target: string, id: string) => boolean): RowProblem[] {
    const out: RowProblem[] = [];
    for (const { i, col } of this.cols) {
      const v = rec[i] ?? '';
      if (v === '') continue;
      const t = this.target(col, rec);
      if (t !== undefined && missing(t, v)) out.push({ row, column: col.name, value: v, expected: danglingLinkMessage(col, t), kind: DANGLING_LINK, path: col.property });
    }
    return out;
  }
}
