/**
 * Start a worker thread from a module next to the caller, in both run modes:
 * compiled (dist/…/x.js → x.js) and from source under tsx/vitest (…/x.ts, through
 * tsx-worker-boot.mjs, because Node 20 does not apply `--import tsx` inside workers).
 *
 *   spawnModuleWorker(import.meta.url, './store-worker', { workerData })
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

export function workerModuleUrl(callerUrl: string, relative: string): { url: URL; fromSource: boolean } {
  const fromSource = /\.(c|m)?ts$/.test(new URL(callerUrl).pathname);
  const base = relative.replace(/\.(c|m)?(j|t)s$/, '');
  const url = new URL(`${base}.${fromSource ? 'ts' : 'js'}`, callerUrl);
  return { url, fromSource };
}

export function spawnModuleWorker(callerUrl: string, relative: string, options: WorkerOptions = {}): Worker {
  const { url, fromSource } = workerModuleUrl(callerUrl, relative);
  if (!fromSource) return new Worker(url, options);
  const boot = new URL('./tsx-worker-boot.mjs', import.meta.url);
  const data = options.workerData;
  if (data !== undefined && (typeof data !== 'object' || data === null || Array.isArray(data))) {
    throw new Error('spawnModuleWorker: workerData must be an object when running from source');
  }
  return new Worker(boot, { ...options, workerData: { ...(data as object | undefined), __tsWorkerModule: url.href } });
}
