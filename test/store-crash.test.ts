/**
 * kill -9 during a stream of writes: a child process writes transactions and acknowledges each
 * one on stdout once transact() resolved; it is SIGKILLed at random moments, several times.
 * Afterwards the store opens, every acknowledged write is there, and no transaction is half applied.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openEmbeddedStore } from '../src/store/embedded/index.js';

const repo = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'syndb-crash-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const G = 'https://example.org/graphs/';
const CHILD = `
import { openEmbeddedStore } from ${JSON.stringify(pathToFileURL(join(repo, 'src/store/embedded/index.ts')).href)};
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
const [dataDir, startArg] = process.argv.slice(2);
const G = ${JSON.stringify(G)};
const s = await openEmbeddedStore({ dataDir, workers: 1, compactBytes: 4096, logger: { warn: (m) => process.stderr.write(m + '\\n') } });
process.stdout.write('ready\\n');
for (let i = Number(startArg); ; i++) {
  const q = (n) => '<https://example.org/s/' + n + '> <https://example.org/p> "' + i + '" <' + G + (i % 5) + '> .\\n';
  const ops = [{ op: 'add', nquads: q('a' + i) }, { op: 'add', nquads: q('b' + i) }];
  if (i % 4 === 0) {
    // replace a whole graph: it must always hold exactly one version
    ops.push({ op: 'clear', graph: G + 'current' });
    ops.push({ op: 'add', nquads: ['x', 'y', 'z'].map((k) => '<https://example.org/c/' + k + '> <https://example.org/v> "' + i + '" <' + G + 'current> .\\n').join('') });
  }
  if (i % 3 === 0) {
    // a bulk load (file by reference in the journal) replacing a whole graph
    const file = join(dataDir, 'incoming', i + '.nt');
    mkdirSync(join(dataDir, 'incoming'), { recursive: true });
    writeFileSync(file, Array.from({ length: 50 }, (_, k) => '<https://example.org/l/' + k + '> <https://example.org/v> "' + i + '" .\\n').join(''));
    ops.push({ op: 'clear', graph: G + 'loaded' }, { op: 'load', graph: G + 'loaded', file });
  }
  await s.transact(ops);
  process.stdout.write('ack ' + i + '\\n');
}
`;

function runAndKill(script: string, dataDir: string, start: number, killAfterMs: number): Promise<{ acks: number[]; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, dataDir, String(start)], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    const acks: number[] = [];
    let out = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const lines = out.split('\n');
      out = lines.pop()!;
      for (const l of lines) {
        // the kill comes at a random moment after the first acknowledged write (not after "ready":
        // on a loaded machine the first write can take longer than the whole window)
        if (l === 'ready' && !timer) timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
        const m = /^ack (\d+)$/.exec(l);
        if (m) {
          if (!acks.length) { clearTimeout(timer); timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs); }
          acks.push(Number(m[1]));
        }
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`child ended by itself (code ${code}):\n${stderr}`));
      else resolvePromise({ acks, stderr });
    });
  });
}

describe('embedded store: crash safety', () => {
  it('every acknowledged write survives repeated SIGKILLs and no transaction is half applied', async () => {
    const script = join(work, 'writer.mts');
    writeFileSync(script, CHILD);
    const dataDir = join(work, 'data');
    const acked: number[] = [];
    const rounds = 4;
    for (let r = 0; r < rounds; r++) {
      const killAfter = 150 + Math.floor(Math.random() * 900);
      const { acks, stderr } = await runAndKill(script, dataDir, r * 100_000, killAfter);
      expect(acks.length, `round ${r} (killed after ${killAfter} ms) made progress; stderr:\n${stderr}`).toBeGreaterThan(0);
      acked.push(...acks);
    }
    const s = await openEmbeddedStore({ dataDir, logger: { warn: () => undefined } });
    try {
      const rows = await s.select('SELECT ?s ?o WHERE { GRAPH ?g { ?s <https://example.org/p> ?o } }');
      const present = new Set(rows.map((b) => b.s.value.slice('https://example.org/s/'.length)));
      const missing = acked.filter((i) => !present.has(`a${i}`) || !present.has(`b${i}`));
      expect(missing, 'acknowledged writes missing after kill -9').toEqual([]);
      // atomicity: a and b of one transaction are both there or both absent
      const halves = [...present].filter((k) => !present.has((k[0] === 'a' ? 'b' : 'a') + k.slice(1)));
      expect(halves, 'transactions applied only in part').toEqual([]);
      // the replaced graph holds exactly one version, not older than the last acknowledged replace
      const cur = await s.select('SELECT ?c ?v WHERE { GRAPH <https://example.org/graphs/current> { ?c <https://example.org/v> ?v } }');
      const versions = new Set(cur.map((b) => Number(b.v.value)));
      expect(cur).toHaveLength(3);
      expect(versions.size).toBe(1);
      const lastReplace = Math.max(...acked.filter((i) => i % 4 === 0));
      expect([...versions][0]).toBeGreaterThanOrEqual(lastReplace);
      expect(present.size).toBeGreaterThanOrEqual(acked.length * 2);
      // the bulk-loaded graph: exactly one whole file, not older than the last acknowledged load
      const loaded = await s.select('SELECT ?l ?v WHERE { GRAPH <https://example.org/graphs/loaded> { ?l <https://example.org/v> ?v } }');
      const lv = new Set(loaded.map((b) => Number(b.v.value)));
      expect(loaded).toHaveLength(50);
      expect(lv.size).toBe(1);
      expect([...lv][0]).toBeGreaterThanOrEqual(Math.max(...acked.filter((i) => i % 3 === 0)));

    } finally {
      await s.close();
    }
  }, 300_000);
});
