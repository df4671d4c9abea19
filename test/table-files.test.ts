/**
 * The table store on its own: content-addressed files (same bytes, one file), the DuckDB sandbox
 * (nothing outside the table directory is readable, the configuration cannot be changed), row
 * checks given as SQL reported with counts, filter value checks.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TableFiles, valueFits, sha256File } from '../src/store/tables/table-files.js';
import { openEngine } from '../src/store/tables/duckdb.js';

const dir = mkdtempSync(join(tmpdir(), 'syndb-table-files-'));
const files = new TableFiles(dir);
afterAll(() => { files.close(); rmSync(dir, { recursive: true, force: true }); });

const csvFile = (text: string) => { const p = files.tmpPath('csv'); writeFileSync(p, text); return p; };

describe('table files', () => {
  it('are named by the SHA-256 of their bytes; the same bytes twice are one file', async () => {
    const specs = [{ name: 'cid', type: 'VARCHAR' as const }, { name: 'n', type: 'BIGINT' as const }];
    const a = await files.csvToParquet(csvFile('cid,n\na,1\nb,9223372036854775807\n'), specs, 2);
    const b = await files.csvToParquet(csvFile('cid,n\na,1\nb,9223372036854775807\n'), specs, 2);
    expect(a.sha256).toBe(await sha256File(a.path));
    expect(a).toMatchObject({ created: true });
    expect(b).toMatchObject({ sha256: a.sha256, created: false });
    expect(readdirSync(dir).filter((f) => f !== 'tmp')).toEqual([`${a.sha256}.parquet`]);
    expect(readdirSync(join(dir, 'tmp')).filter((f) => f.endsWith('.parquet'))).toEqual([]);
    // a row count other than the validator's is an error, and nothing is kept
    await expect(files.csvToParquet(csvFile('cid,n\na,1\n'), specs, 5)).rejects.toThrow(/1 rows where the validator read 5/);
  });

  it('DuckDB reads nothing outside the table directory and its settings cannot be changed', async () => {
    const sel = { columns: [{ name: 'x', type: 'VARCHAR' as const }], filters: [] };
    // a crafted column name is one quoted identifier, never SQL
    await expect(files.select('0'.repeat(64), [{ name: 'x', type: 'VARCHAR' }], { ...sel, columns: [{ name: `x" FROM read_csv('/etc/passwd') --`, type: 'VARCHAR' }] }, 'csv')).rejects.toThrow();
    const outside = join(tmpdir(), `outside-${process.pid}.csv`);
    writeFileSync(outside, 'cid\nsecret\n');
    try {
      const q = `SELECT 1 AS "row", 'c' AS "column", cid AS value, 'm' AS message FROM read_csv('${outside}')`;
      await expect(files.problems([q], 10)).rejects.toThrow(/disabled by configuration|Permission/);
      const engine = await openEngine(dir);
      const c = await engine.connect();
      try {
        await expect(c.run('SET enable_external_access = true')).rejects.toThrow(/locked/);
        await expect(c.run(`SET allowed_directories = ['/']`)).rejects.toThrow(/locked/);
        await expect(c.runAndReadAll(`SELECT * FROM read_csv('${outside}')`)).rejects.toThrow(/disabled by configuration/);
      } finally { c.closeSync(); engine.close(); }
    } finally {
      rmSync(outside, { force: true });
    }
  });

  it('row checks given as SQL: every problem counted per kind, the first ones in row order', async () => {
    const p = csvFile('cid,v\na,1\nb,x\nc,2\nd,y\ne,\n');
    const read = `read_csv('${p}', header = true, auto_detect = false, columns = {'cid': 'VARCHAR', 'v': 'VARCHAR'})`;
    const numbered = `(SELECT row_number() OVER () AS __row, * FROM ${read})`;
    const r = await files.problems([
      `SELECT __row AS "row", 'v' AS "column", v AS value, 'v must be a number' AS message, 'sh:DatatypeConstraintComponent' AS kind FROM ${numbered} WHERE v IS NOT NULL AND TRY_CAST(v AS DOUBLE) IS NULL`,
      `SELECT __row AS "row", 'v' AS "column", NULL AS value, 'v is required' AS message, 'sh:MinCountConstraintComponent' AS kind FROM ${numbered} WHERE v IS NULL`,
    ], 2);
    expect(r.total).toBe(3);
    expect(r.counts).toEqual({ 'sh:DatatypeConstraintComponent': 2, 'sh:MinCountConstraintComponent': 1 });
    expect(r.problems).toEqual([
      { row: 2, column: 'v', value: 'x', message: 'v must be a number', kind: 'sh:DatatypeConstraintComponent' },
      { row: 4, column: 'v', value: 'y', message: 'v must be a number', kind: 'sh:DatatypeConstraintComponent' },
    ]);
  });

  it('filter values must fit the column type', () => {
    expect(valueFits('BIGINT', '9223372036854775807')).toBe(true);
    expect(valueFits('BIGINT', '9223372036854775808')).toBe(false);
    expect(valueFits('UBIGINT', '18446744073709551615')).toBe(true);
    expect(valueFits('UBIGINT', '-1')).toBe(false);
    expect(valueFits('DOUBLE', '1e-7')).toBe(true);
    expect(valueFits('DOUBLE', "1; DROP TABLE x")).toBe(false);
    expect(valueFits('VARCHAR', "anything ' goes")).toBe(true);
  });
});
