/**
 * The table store on its own: content-addressed files (same bytes, one file), the DuckDB sandbox
 * (nothing outside the table directory is readable, the configuration cannot be changed), row
 * checks given as SQL reported with counts, filter value checks.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TableFiles, valueFits, sha256File } from '../src/store/tables/table-files.js';
import { openEngine } from '../src/store/tables/duckdb.js';
import { SortedCopies } from '../src/store/tables/sorted-copies.js';

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

  it('a filtered column gets a sorted copy in the background; answers are the same rows in file order before and after', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syndb-sorted-'));
    const events: Array<Record<string, unknown>> = [];
    const f = new TableFiles(d, { sortedCopyMinRows: 1000, log: (o) => events.push(o) });
    try {
      const specs = [{ name: 'cid', type: 'BIGINT' as const }, { name: 'pre_id', type: 'UBIGINT' as const }, { name: 'x', type: 'DOUBLE' as const }, { name: 'label', type: 'VARCHAR' as const }];
      let text = 'cid,pre_id,x,label\n';
      const n = 5000;
      // 64-bit ids beyond 2^53, every id on rows spread over the whole file, some empty cells
      for (let i = 1; i <= n; i++) text += `${i},${18446744073709551000n + BigInt(i % 37)},${i % 11 === 0 ? '' : (i * 0.5).toString()},${i % 5 === 0 ? '' : `l${i % 7}`}\n`;
      const csvIn = (t: string) => { const p = f.tmpPath('csv'); writeFileSync(p, t); return p; };
      const stored = await f.csvToParquet(csvIn(text), specs, n);
      const sel = (filters: Array<{ column: string; op: 'in' | 'gte' | 'lte'; values: string[] }>) => ({ columns: specs, filters });
      const ask = async (filters: Parameters<typeof sel>[0]) => {
        const out = await f.select(stored.sha256, specs, sel(filters), 'csv', n);
        try { return { rows: out.rows, csv: readFileSync(out.path, 'utf8') }; } finally { rmSync(out.path, { force: true }); }
      };
      const inList = [{ column: 'pre_id', op: 'in' as const, values: ['18446744073709551003', '18446744073709551036'] }];
      const range = [{ column: 'pre_id', op: 'gte' as const, values: ['18446744073709551010'] }, { column: 'pre_id', op: 'lte' as const, values: ['18446744073709551012'] }];
      const before = await ask(inList);
      const beforeRange = await ask(range);
      expect(before.rows).toBe(Math.floor(n / 37) * 2 + (n % 37 >= 3 ? 1 : 0) + (n % 37 >= 36 ? 1 : 0));
      // the first filter on pre_id asked for a sorted copy; nothing else did
      expect(['queued', 'building', 'ready']).toContain(f.sortedCopies(stored.sha256, specs).pre_id);
      await f.settled();
      expect(f.sortedCopies(stored.sha256, specs)).toEqual({ pre_id: 'ready' });
      expect(existsSync(f.sortedPath(stored.sha256, 'pre_id'))).toBe(true);
      expect(events).toEqual([expect.objectContaining({ msg: 'sorted copy built', column: 'pre_id' })]);
      // the same answers, byte for byte, now read from the sorted copy
      expect(await ask(inList)).toEqual(before);
      // an IN list is read one value at a time from the copy: a value given twice is still one set of rows
      expect(await ask([{ ...inList[0], values: [...inList[0].values, inList[0].values[0]] }])).toEqual(before);
      expect(await ask(range)).toEqual(beforeRange);
      const ids = before.csv.trim().split('\n').slice(1).map((l) => Number(l.split(',')[0]));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(await f.count(stored.sha256, specs, inList, n)).toBe(before.rows);
      // a small file gets no sorted copy
      const small = await f.csvToParquet(csvIn('cid,pre_id,x,label\n1,2,3,a\n'), specs, 1);
      rmSync((await f.select(small.sha256, specs, sel([{ column: 'label', op: 'in', values: ['a'] }]), 'csv', 1)).path);
      await f.settled();
      expect(f.sortedCopies(small.sha256, specs)).toEqual({});
    } finally {
      f.close();
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('sorted copies: one at a time, each asked for once, a failure logged and not retried', async () => {
    const order: string[] = [];
    const logs: Array<Record<string, unknown>> = [];
    let running = 0, most = 0;
    const q = new SortedCopies(async (sha, column) => {
      running++; most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 5));
      order.push(column);
      running--;
      if (column === 'bad') throw new Error('No space left on device\nmore');
    }, (o) => logs.push(o));
    q.request('a', 'x'); q.request('a', 'bad'); q.request('a', 'x'); q.request('b', 'y');
    expect(q.pending('a')).toBe(2);
    await q.settled();
    expect(order).toEqual(['x', 'bad', 'y']);
    expect(most).toBe(1);
    expect(q.state('a', 'bad')).toBe('failed');
    expect(q.state('a', 'x')).toBeUndefined();
    q.request('a', 'bad');
    await q.settled();
    expect(order).toHaveLength(3);
    expect(logs.map((l) => l.msg)).toEqual(['sorted copy built', 'sorted copy failed; filters on the column read the whole file', 'sorted copy built']);
    expect(logs[1]).toMatchObject({ level: 'warn', error: 'No space left on device' });
    q.stop();
    q.request('c', 'z');
    expect(q.state('c', 'z')).toBeUndefined();
  });
});
