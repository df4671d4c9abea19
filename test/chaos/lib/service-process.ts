/**
 * The service as users run it: `syndb serve` in its own process (so a blocked or crashed server is
 * seen as such, and kill -9 is real), on an ephemeral port, with tokens created by `syndb token create`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '..', '..', '..');
// works from test/chaos/lib (tsx) and dist/test/chaos/lib (compiled bench)
const root = repo.endsWith('dist') ? resolve(repo, '..') : repo;
const BIN = resolve(root, 'bin', 'syndb.js');

export const CHAOS_ADMIN = 'chaos-admin-token';

export interface ServiceProcess {
  url: string;
  proc: ChildProcess;
  /** everything the process wrote to stdout/stderr so far */
  output(): string;
  /** true once the process has exited */
  exited(): boolean;
  stop(): Promise<void>;
  kill9(): Promise<void>;
}

function env(dataDir: string, extra: Record<string, string>) {
  return { ...process.env, SYNDB_DATA_DIR: dataDir, SYNDB_ADMIN_TOKEN: CHAOS_ADMIN, SYNDB_EXAMPLES: '0', PORT: '0', HOST: '127.0.0.1', SYNDB_BASE_IRI: 'http://localhost:3030', ...extra };
}

export function createToken(dataDir: string, name: string, role = 'contributor'): string {
  const r = spawnSync(process.execPath, [BIN, 'token', 'create', '--name', name, '--role', role], { env: env(dataDir, {}), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`token create failed: ${r.stderr}`);
  return r.stdout.trim();
}

export function startService(dataDir: string, extra: Record<string, string> = {}, timeoutMs = 120_000): Promise<ServiceProcess> {
  const proc = spawn(process.execPath, [BIN, 'serve'], { env: env(dataDir, extra), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let done = false;
  const exit = new Promise<void>((r) => proc.once('exit', () => { done = true; r(); }));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`service did not start in ${timeoutMs} ms:\n${out.slice(-3000)}`)); }, timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.length > 2_000_000) out = out.slice(-1_000_000);
      const m = /"msg":"listening"[^\n]*?"url":"([^"]+)"/.exec(out);
      if (m && timer) {
        clearTimeout(timer);
        resolvePromise({
          url: m[1], proc, output: () => out, exited: () => done,
          async stop() { if (!done) { proc.kill('SIGTERM'); await Promise.race([exit, new Promise((r) => setTimeout(r, 15_000))]); if (!done) { proc.kill('SIGKILL'); await exit; } } },
          async kill9() { if (!done) { proc.kill('SIGKILL'); await exit; } },
        });
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`service exited with ${code} before listening:\n${out.slice(-3000)}`)); });
  });
}
