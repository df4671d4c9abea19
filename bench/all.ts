/**
 * `npm run bench`: runs the goal benches, each in its own process, one after another, and prints
 * one table of the goals with the figures of this run (each against peers measured in the same
 * run by that bench). `--quick` passes --quick to each (small sizes, fewer runs).
 * A bench that fails (a peer that cannot run included) fails this run: exit code 1, with its message.
 *
 * Included so far: P2 (bench/point-lookup.ts) and P5 (bench/restart.ts). P1 and P3 (table ingest,
 * bench/tables.ts) and P4 (bench/search.ts) print their own tables and are run separately.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { PointLookupResult } from './point-lookup.js';
import type { RestartResult } from './restart.js';

const run = promisify(execFile);
const quick = process.argv.includes('--quick') ? ['--quick'] : [];

async function bench<T>(name: string, args: string[] = []): Promise<T> {
  const file = fileURLToPath(new URL(`./${name}.js`, import.meta.url));
  process.stderr.write(`running bench/${name}.ts ${[...quick, ...args].join(' ')}…\n`);
  try {
    const { stdout } = await run(process.execPath, [file, '--json', ...quick, ...args], { maxBuffer: 64 * 1024 * 1024 });
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as T;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`bench/${name}.ts failed: ${(err.stderr ?? err.message).trim().split('\n').slice(-5).join('\n')}`);
  }
}

async function main(): Promise<void> {
  const p2 = await bench<PointLookupResult>('point-lookup');
  const p5 = await bench<RestartResult>('restart');
  const row = (n: string) => p5.rows.find((r) => r.name.startsWith(n))!;
  const raw = row('Store.load');
  const lines: [string, string, string, string][] = [
    ['P2 point lookup over HTTP − in-process oxigraph', '≤ 1 ms', `${(p2.oursMs - p2.oxigraphMs).toFixed(2)} ms (${p2.oursMs.toFixed(2)} vs ${p2.oxigraphMs.toFixed(2)})`, `${(p2.oursCpuMs / p2.oxigraphCpuMs).toFixed(1)}x CPU/query`],
  ];
  for (const name of ['service, snapshot, 1 replica', 'service, snapshot, 2 replicas', 'service, journal replay, 1 replica', 'service, journal replay, 2 replicas']) {
    const r = row(name);
    lines.push([`P5 restart to first answer, ${p5.triples.toLocaleString('en')} triples (${name.replace('service, ', '')})`, '≤ 10 s', `${r.wallS.toFixed(1)} s wall, ${r.cpuS.toFixed(1)} CPU-s`, `${(r.wallS / raw.wallS).toFixed(2)}x wall, ${(r.cpuS / raw.cpuS).toFixed(2)}x CPU of Store.load`]);
  }
  console.log('| goal | target | this run | ratio to peer (same run) |');
  console.log('|---|---|---|---|');
  for (const l of lines) console.log(`| ${l.join(' | ')} |`);
  console.log('\nP1/P3 (table ingest): node dist/bench/tables.js; P4 (landing page, JSON-LD, BibTeX, search): node dist/bench/search.js');
}

main().catch((e) => {
  console.error((e as Error).message);
  process.exit(1);
});
