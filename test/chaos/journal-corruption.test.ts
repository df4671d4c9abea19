/**
 * A damaged journal: damage followed by intact records is corruption (the start refuses and
 * nothing is truncated), `syndb store verify` reports it, `syndb store repair` removes it keeping
 * every intact record and a copy of what it replaces; a real torn tail still recovers at open.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openEmbeddedStore, type EmbeddedStore } from '../../src/store/embedded/index.js';
import { scanJournal } from '../../src/store/embedded/journal.js';
import { StoreError } from '../../src/store/graph-store.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'syndb.js');
const G = 'https://example.org/graphs/1';
const quad = (n: number) => `<https://example.org/s/${n}> <https://example.org/p> "transaction ${n}" <${G}> .\n`;

const dirs: string[] = [];
const open: EmbeddedStore[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'syndb-corrupt-'));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  for (const s of open.splice(0)) await s.close().catch(() => undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) throw new Error('run `npm run build` first (npm test does)');
});

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

async function openS(dataDir: string, extra: Partial<Parameters<typeof openEmbeddedStore>[0]> = {}) {
  const warnings: string[] = [];
  const s = await openEmbeddedStore({ dataDir, workers: 1, logger: { warn: (m) => warnings.push(m) }, ...extra });
  open.push(s);
  return Object.assign(s, { warnings });
}

/** The transactions (numbers n of quad(n)) present in the store. */
async function present(s: EmbeddedStore): Promise<number[]> {
  const rows = await s.select(`SELECT ?o WHERE { GRAPH <${G}> { ?s ?p ?o } }`);
  return rows.map((r) => Number(r.o.value.replace('transaction ', ''))).sort((a, b) => a - b);
}

/** A store with `n` transactions in its journal (no snapshot at close); returns the journal path and its record offsets. */
async function storeWith(n: number): Promise<{ dir: string; jpath: string; offsets: number[] }> {
  const dir = tmp();
  const s = await openEmbeddedStore({ dataDir: dir, workers: 1, compactOnClose: false, logger: { warn: () => undefined } });
  for (let i = 1; i <= n; i++) await s.transact([{ op: 'add', nquads: quad(i) }]);
  await s.close();
  const m = JSON.parse(readFileSync(join(dir, 'MANIFEST'), 'utf8')) as { journals: { file: string }[] };
  const jpath = join(dir, m.journals[0].file);
  const scan = scanJournal(readFileSync(jpath), 0);
  expect(scan.records).toHaveLength(n);
  return { dir, jpath, offsets: scan.records.map((r) => r.offset) };
}

function flipBit(path: string, at: number, bit = 0x04): Buffer {
  const buf = readFileSync(path);
  buf[at] ^= bit;
  writeFileSync(path, buf);
  return buf;
}

async function openError(dir: string, readOnly = false): Promise<StoreError> {
  const e = await openEmbeddedStore({ dataDir: dir, workers: 1, readOnly, logger: { warn: () => undefined } }).then(
    (s) => {
      open.push(s);
      return undefined;
    },
    (err: unknown) => err,
  );
  expect(e, 'the open must fail').toBeInstanceOf(StoreError);
  expect((e as StoreError).code).toBe('corrupt');
  return e as StoreError;
}

describe('a bit flip in the middle of the journal', () => {
  it('stops the start naming the file, offset and record, truncates nothing; verify reports it; repair keeps a copy and every intact record', async () => {
    const { dir, jpath, offsets } = await storeWith(5);
    const damaged = flipBit(jpath, offsets[2] + 60); // a payload byte of record 3
    const e = await openError(dir);
    expect(e.message).toContain(jpath);
    expect(e.message).toContain(`byte ${offsets[2]} (record 3, transaction 3: checksum mismatch`);
    expect(e.message).toMatch(/2 intact records follow it/);
    expect(e.message).toMatch(/not a torn tail/);
    expect(e.message).toContain(`syndb store verify --data-dir ${dir}`);
    expect(e.message).toContain(`syndb store repair --data-dir ${dir}`);
    expect(readFileSync(jpath).equals(damaged)).toBe(true); // nothing truncated
    expect(existsSync(join(dir, 'LOCK'))).toBe(false);
    // a read-only open refuses as well
    expect((await openError(dir, true)).message).toContain(`byte ${offsets[2]}`);
    expect(readFileSync(jpath).equals(damaged)).toBe(true);

    const v = await cli('store', 'verify', '--data-dir', dir);
    expect(v.code, v.stdout + v.stderr).toBe(1);
    expect(v.stdout).toContain(`journal ${jpath}: corrupt record at byte ${offsets[2]} (record 3, transaction 3: checksum mismatch`);
    expect(v.stdout).toMatch(/4 intact records \(transactions 1–5\)/);
    expect(v.stdout).toMatch(/last committed transaction: 2 \(intact records after the damage go up to 5\)/);
    expect(v.stdout).toMatch(/syndb store repair --data-dir/);
    const json = await cli('store', 'verify', '--data-dir', dir, '--json');
    const report = JSON.parse(json.stdout) as { ok: boolean; journals: { damage: { offset: number; end: number; tail: boolean; lost: { from: number; to: number } }[] }[] };
    expect(report.ok).toBe(false);
    expect(report.journals[0].damage).toEqual([expect.objectContaining({ offset: offsets[2], end: offsets[3], tail: false, lost: { from: 3, to: 3 } })]);

    const r = await cli('store', 'repair', '--data-dir', dir);
    expect(r.code, r.stderr).toBe(0);
    const copyDir = /is in (\S+) \(see REPAIR\.txt/.exec(r.stderr)?.[1];
    expect(copyDir, r.stderr).toBeDefined();
    expect(copyDir!.startsWith(join(dir, 'repair-'))).toBe(true);
    expect(r.stderr).toMatch(/transaction 3 could not be read back/);
    // the copy holds the journal exactly as it was, the damaged bytes and a report
    const jname = jpath.slice(dir.length + 1);
    expect(readFileSync(join(copyDir!, jname)).equals(damaged)).toBe(true);
    expect(readFileSync(join(copyDir!, `damaged-${jname}-bytes-${offsets[2]}-${offsets[3]}.bin`)).equals(damaged.subarray(offsets[2], offsets[3]))).toBe(true);
    expect(readFileSync(join(copyDir!, 'REPAIR.txt'), 'utf8')).toMatch(/To undo the repair/);
    expect(existsSync(join(copyDir!, 'MANIFEST'))).toBe(true);

    const s = await openS(dir);
    expect(s.warnings).toEqual([]);
    expect(await present(s)).toEqual([1, 2, 4, 5]);
    await s.transact([{ op: 'add', nquads: quad(6) }]); // writes go on
    await s.close();
    const s2 = await openS(dir);
    expect(await present(s2)).toEqual([1, 2, 4, 5, 6]);
    await s2.close();
    const v2 = await cli('store', 'verify', '--data-dir', dir);
    expect(v2.code, v2.stdout).toBe(0);
    expect(v2.stdout).toMatch(/OK: no problems found/);
    expect(existsSync(copyDir!)).toBe(true); // the copy survives opening the store
  });

  it('a damaged length field: the scan re-synchronises on the next intact record; repair --drop-after keeps only what precedes the damage', async () => {
    const { dir, jpath, offsets } = await storeWith(4);
    const damaged = flipBit(jpath, offsets[1] + 6, 0x10); // high byte of record 2's payload length
    const e = await openError(dir);
    expect(e.message).toContain(`byte ${offsets[1]} (record 2, transaction 2:`);
    expect(e.message).toMatch(/2 intact records follow it, the next at byte \d+ \(transaction 3\)/);
    expect(readFileSync(jpath).equals(damaged)).toBe(true);
    const r = await cli('store', 'repair', '--data-dir', dir, '--drop-after');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/not replayed: transaction 3 .*--drop-after/);
    expect(r.stderr).toMatch(/not replayed: transaction 4 /);
    const s = await openS(dir);
    expect(await present(s)).toEqual([1]);
    await s.transact([{ op: 'add', nquads: quad(9) }]);
    expect(await present(s)).toEqual([1, 9]);
  });

  it('a corrupt first record of a journal followed by intact ones refuses too; repair while the store is open is refused', async () => {
    const { dir, jpath, offsets } = await storeWith(3);
    flipBit(jpath, offsets[0] + 20); // inside record 1's checksum
    const e = await openError(dir);
    expect(e.message).toContain(`byte 0 (record 1, transaction 1: checksum mismatch`);
    // a running store holds the lock: repair refuses instead of changing files under it
    const other = tmp();
    const s = await openS(other);
    const r = await cli('store', 'repair', '--data-dir', other);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is locked by process/);
    await s.close();
    const nothing = await cli('store', 'repair', '--data-dir', other);
    expect(nothing.code, nothing.stderr).toBe(0);
    expect(nothing.stderr).toMatch(/nothing to repair .*no damage found/);
    expect(readdirSync(other).filter((n) => n.startsWith('repair-'))).toEqual([]);
  });
});

describe('a damaged snapshot', () => {
  it('verify names the file; repair refuses and points to a backup, changing nothing', async () => {
    const dir = tmp();
    const s = await openEmbeddedStore({ dataDir: dir, workers: 1, logger: { warn: () => undefined } });
    await s.transact([{ op: 'add', nquads: quad(1) }]);
    await s.close(); // writes a snapshot
    const m = JSON.parse(readFileSync(join(dir, 'MANIFEST'), 'utf8')) as { snapshot: { dir: string; files: { file: string }[] } };
    const f = join(dir, m.snapshot.dir, m.snapshot.files[0].file);
    flipBit(f, 10);
    const v = await cli('store', 'verify', '--data-dir', dir);
    expect(v.code).toBe(1);
    expect(v.stdout).toContain(`snapshot file ${f} (graph <${G}>) SHA-256 does not match the manifest`);
    const before = readdirSync(dir).sort();
    const r = await cli('store', 'repair', '--data-dir', dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the snapshot is damaged .*restore a backup/);
    expect(readdirSync(dir).sort()).toEqual(before);
  });
});

describe('repair with bulk loads', () => {
  it('replays a bulk load that follows the damage from its file, and keeps the bulk-load files in the copy', async () => {
    const dir = tmp();
    const s = await openEmbeddedStore({ dataDir: dir, workers: 1, compactOnClose: false, logger: { warn: () => undefined } });
    await s.transact([{ op: 'add', nquads: quad(1) }]);
    const nt = join(dir, 'rows.nt');
    writeFileSync(nt, Array.from({ length: 50 }, (_, i) => `<https://example.org/row/${i}> <https://example.org/p> "row ${i}" .\n`).join(''));
    await s.transact([{ op: 'load', graph: 'https://example.org/graphs/rows', file: nt }]);
    await s.transact([{ op: 'add', nquads: quad(3) }]);
    await s.close();
    const m = JSON.parse(readFileSync(join(dir, 'MANIFEST'), 'utf8')) as { journals: { file: string }[] };
    const jpath = join(dir, m.journals[0].file);
    const loads = readdirSync(join(dir, 'loads'));
    expect(loads).toEqual(['2-1.nt']);
    flipBit(jpath, 70); // record 1
    expect((await openError(dir)).message).toContain('(record 1, transaction 1: checksum mismatch');
    const r = await cli('store', 'repair', '--data-dir', dir);
    expect(r.code, r.stderr).toBe(0);
    const copyDir = /is in (\S+) \(see REPAIR\.txt/.exec(r.stderr)![1];
    expect(readdirSync(join(copyDir, 'loads'))).toEqual(loads);
    const s2 = await openS(dir);
    expect(await present(s2)).toEqual([3]);
    const rows = await s2.select('SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://example.org/graphs/rows> { ?s ?p ?o } }');
    expect(rows[0].n.value).toBe('50');
  });
});

describe('a real torn tail still recovers at open', () => {
  it('an incomplete last record is cut off with a warning; garbage after the last record too; verify calls it a torn tail', async () => {
    const { dir, jpath, offsets } = await storeWith(3);
    const size = statSync(jpath).size;
    truncateSync(jpath, size - 7);
    const v = await cli('store', 'verify', '--data-dir', dir);
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(new RegExp(`torn tail of ${size - 7 - offsets[2]} bytes at byte ${offsets[2]}`));
    const s = await openS(dir, { compactOnClose: false });
    expect(s.warnings.join('\n')).toMatch(/discarding a torn or corrupt tail of \d+ bytes \(incomplete record/);
    expect(await present(s)).toEqual([1, 2]);
    await s.transact([{ op: 'add', nquads: quad(4) }]);
    await s.close();
    appendFileSync(jpath, Buffer.from('SDJ1\u0000\u0000garbage that is no record'));
    const s2 = await openS(dir);
    expect(s2.warnings.join('\n')).toMatch(/discarding a torn or corrupt tail/);
    expect(await present(s2)).toEqual([1, 2, 4]);
  });
});
