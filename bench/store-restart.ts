/**
 * Embedded store benchmark: durable transact throughput and restart (open) time, against
 * oxigraph's own Store.load of the same data in the same run (the reference ratio).
 *
 *   npm run build && node dist/bench/store-restart.js [quads ...]      (default: 100000 1000000)
 *   npx tsx bench/store-restart.ts 100000
 *
 * Data: compartment-table-like rows (10 triples each) spread over 8 named graphs.
 * Not run by the tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store, namedNode } from 'oxigraph';
import { openEmbeddedStore } from '../src/store/embedded/index.js';

const B = 'https://bench.example.org';
const S = 'https://w3id.org/syndb/ontology#';
const XSD = 'http://www.w3.org/2001/XMLSchema#';

/** `quads` quads as N-Quads lines in chunks of ~chunkQuads (whole rows), plus the same data as N-Triples per graph. */
function generate(quads: number, chunkQuads: number): { chunks: string[]; perGraph: Map<string, string[]> } {
  const rows = Math.ceil(quads / 10);
  const chunks: string[] = [];
  const perGraph = new Map<string, string[]>();
  let cur: string[] = [];
  for (let r = 0; r < rows; r++) {
    const graph = `${B}/datasets/d${r % 8}/versions/1/tables/synapse`;
    const s = `<${graph}/rows/${r}>`;
    const triples = [
      `${s} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <${S}Synapse>`,
      `${s} <${S}cid> "${r}"`,
      `${s} <${S}inDataset> <${B}/datasets/d${r % 8}/versions/1>`,
      `${s} <${S}voxelVolume> "${(r * 0.37).toFixed(3)}"^^<${XSD}double>`,
      `${s} <${S}surfaceArea> "${(r * 0.11).toFixed(3)}"^^<${XSD}double>`,
      `${s} <${S}centroidX> "${r % 9973}"^^<${XSD}integer>`,
      `${s} <${S}centroidY> "${r % 7919}"^^<${XSD}integer>`,
      `${s} <${S}centroidZ> "${r % 6007}"^^<${XSD}integer>`,
      `${s} <${S}neuron> <${graph}/rows/${r >> 4}>`,
      `${s} <http://purl.org/dc/terms/description> "synapse ${r} of row block ${r >> 10}"@en`,
    ];
    let nt = perGraph.get(graph);
    if (!nt) perGraph.set(graph, (nt = []));
    for (const t of triples) {
      cur.push(`${t} <${graph}> .\n`);
      nt.push(`${t} .\n`);
    }
    if (cur.length >= chunkQuads) {
      chunks.push(cur.join(''));
      cur = [];
    }
  }
  if (cur.length) chunks.push(cur.join(''));
  return { chunks, perGraph };
}

const ms = (t0: number) => performance.now() - t0;
const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en') : n.toFixed(1));

interface Row {
  quads: number;
  bulkQuadsPerSec: number;
  smallTxPerSec: number;
  openReplayMs: number;
  openSnapshotMs: number;
  rawLoadMs: number;
  closeCompactMs: number;
}

async function bench(quads: number): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), 'syndb-store-restart-bench-'));
  const quiet = { warn: (m: string) => process.stderr.write(`  (store) ${m}\n`) };
  try {
    const { chunks, perGraph } = generate(quads, 10_000);
    const expected = Math.ceil(quads / 10) * 10;
    // 1. durable bulk writes: one transaction per 10k quads (each fsynced before it resolves)
    let s = await openEmbeddedStore({ dataDir: dir, workers: 1, compactOnClose: false, compactBytes: Number.MAX_SAFE_INTEGER, logger: quiet });
    let t0 = performance.now();
    for (const c of chunks) await s.transact([{ op: 'add', nquads: c }]);
    const bulkMs = ms(t0);
    // 2. small transactions (one quad each), fsync-bound
    const small = 300;
    const smallLines: string[] = [];
    t0 = performance.now();
    for (let i = 0; i < small; i++) {
      const t = `<${B}/small/${i}> <${S}cid> "${i}"`;
      smallLines.push(`${t} .\n`);
      await s.transact([{ op: 'add', nquads: `${t} <${B}/graphs/small> .\n` }]);
    }
    const smallMs = ms(t0);
    perGraph.set(`${B}/graphs/small`, smallLines);
    await s.close(); // no compaction: everything is in the journal
    // 3. restart from the journal only
    t0 = performance.now();
    s = await openEmbeddedStore({ dataDir: dir, workers: 1, compactBytes: Number.MAX_SAFE_INTEGER, logger: quiet });
    const openReplayMs = ms(t0);
    const replayed = (await s.stats()).quads;
    if (replayed !== expected + small) throw new Error(`journal replay has ${replayed} quads, expected ${expected + small}`);
    t0 = performance.now();
    await s.close(); // clean close: writes the snapshot, empties the journal
    const closeCompactMs = ms(t0);
    // 4. restart from the snapshot
    t0 = performance.now();
    s = await openEmbeddedStore({ dataDir: dir, workers: 1, logger: quiet });
    const openSnapshotMs = ms(t0);
    const n = (await s.stats()).quads;
    await s.close();
    if (n !== expected + small) throw new Error(`snapshot open has ${n} quads, expected ${expected + small}`);
    // 5. reference: the same data as N-Triples, loaded raw into one oxigraph Store (this thread)
    const raw = new Store();
    t0 = performance.now();
    for (const [graph, lines] of perGraph) {
      raw.load(lines.join(''), { format: 'application/n-triples', to_graph_name: namedNode(graph), no_transaction: true });
    }
    const rawLoadMs = ms(t0);
    if (raw.size !== n) throw new Error(`raw load has ${raw.size} quads, expected ${n}`);
    return {
      quads: n,
      bulkQuadsPerSec: (expected / bulkMs) * 1000,
      smallTxPerSec: (small / smallMs) * 1000,
      openReplayMs,
      openSnapshotMs,
      rawLoadMs,
      closeCompactMs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const rows: Row[] = [];
  for (const q of sizes.length ? sizes : [100_000, 1_000_000]) {
    process.stderr.write(`benchmarking ${q.toLocaleString('en')} quads…\n`);
    rows.push(await bench(q));
  }
  const head = ['quads', 'durable bulk add (quads/s)', 'small tx (tx/s)', 'open: journal replay (ms)', 'close+snapshot (ms)', 'open: snapshot (ms)', 'raw Store.load (ms)', 'snapshot open / raw load'];
  const body = rows.map((r) => [
    r.quads.toLocaleString('en'),
    fmt(r.bulkQuadsPerSec),
    fmt(r.smallTxPerSec),
    fmt(r.openReplayMs),
    fmt(r.closeCompactMs),
    fmt(r.openSnapshotMs),
    fmt(r.rawLoadMs),
    `${(r.openSnapshotMs / r.rawLoadMs).toFixed(2)}x`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i])).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const b of body) console.log(line(b));
  console.log('\nopen times include starting the worker thread; one replica (workers: 1) for a like-for-like comparison with one raw Store.');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
