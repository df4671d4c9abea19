/**
 * A SPARQL Update runs on a scratch oxigraph store in a worker thread of its own
 * (scratch-update-worker.ts), so a slow update never blocks the event loop; it is ended after
 * `timeoutMs`. Returns the triples (N-Triples lines, keyed
 * by graph name, '' = default graph) before and after, or the engine's error message.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { projectPath } from '../util/paths.js';
import { spawnModuleWorker, workerModuleUrl } from '../util/worker-spawn.js';
import type { ScratchInput, ScratchResult } from './scratch-update-worker.js';

/**
 * One worker per update, so it starts often: always the compiled worker (tsc's dist/), which
 * starts in a fraction of the time tsx needs to compile it. Running from source (tests, tsx), the
 * build's copy is used; only without a build is the source compiled on the fly.
 */
function startWorker(input: ScratchInput): Worker {
  const own = workerModuleUrl(import.meta.url, './scratch-update-worker');
  if (!own.fromSource) return new Worker(own.url, { workerData: input });
  const built = projectPath('dist', 'src', 'service', 'scratch-update-worker.js');
  if (existsSync(built)) return new Worker(pathToFileURL(built), { workerData: input });
  return spawnModuleWorker(import.meta.url, './scratch-update-worker', { workerData: input });
}

export async function runScratchUpdate(input: ScratchInput, timeoutMs: number): Promise<ScratchResult> {
  const w = startWorker(input);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { void w.terminate(); reject(new UpdateTimeoutError(`the update ran longer than ${timeoutMs} ms and was stopped; nothing was changed`)); }, timeoutMs);
    w.once('message', (m: ScratchResult) => { clearTimeout(timer); void w.terminate(); resolve(m); });
    w.once('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

export class UpdateTimeoutError extends Error { constructor(m: string) { super(m); this.name = 'UpdateTimeoutError'; } }
