/**
 * A real Virtuoso 7 (Debian package virtuoso-opensource-7-bin) for tests and benchmarks: a fresh
 * database in a temp directory, HTTP and SQL ports on 127.0.0.1 only, started in the foreground
 * as a child process and killed at stop(). The service reaches it through /sparql-auth with HTTP
 * Digest authentication as the dba user (updates need a user with the SPARQL_UPDATE role).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDebianPackages } from './debian.js';

export interface Virtuoso {
  /** SPARQL endpoint with digest auth (query + update). */
  url: string;
  /** Graph Store Protocol endpoint with digest auth. */
  gspUrl: string;
  user: string;
  password: string;
  dir: string;
  httpPort: number;
  /** SIGKILL the server (as a crash); start() brings it back on the same database. */
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  log(): string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function ini(dir: string, sqlPort: number, httpPort: number, buffers: number): string {
  return `[Database]
DatabaseFile = ${dir}/virtuoso.db
ErrorLogFile = ${dir}/virtuoso.log
LockFile = ${dir}/virtuoso.lck
TransactionFile = ${dir}/virtuoso.trx
xa_persistent_file = ${dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = ${dir}/virtuoso-temp.db
TransactionFile = ${dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:${sqlPort}
ServerThreads = 20
CheckpointInterval = 60
NumberOfBuffers = ${buffers}
MaxDirtyBuffers = ${Math.floor(buffers * 0.75)}
CaseMode = 2
MaxStaticCursorRows = 5000
DirsAllowed = ., ${dir}
TransactionAfterImageLimit = 1500000000

[HTTPServer]
ServerPort = 127.0.0.1:${httpPort}
ServerRoot = ${dir}
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = 100000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 0
MaxSortedTopRows = 100000000
DeferInferenceRulesInit = 0
`;
}

/** Servers of this process still running: killed (and their directories removed) when it exits. */
const running = new Map<string, () => void>();
process.once('exit', () => { for (const kill of running.values()) kill(); });

/** Install (if needed, as in .ci/run) and start a Virtuoso on loopback. `buffers`: 8 KiB pages of cache. */
export async function startVirtuoso(opts: { buffers?: number } = {}): Promise<Virtuoso> {
  ensureDebianPackages(['virtuoso-opensource-7-bin']);
  const dir = mkdtempSync(join(tmpdir(), 'syndb-virtuoso-'));
  const [sqlPort, httpPort] = [await freePort(), await freePort()];
  const iniFile = join(dir, 'virtuoso.ini');
  writeFileSync(iniFile, ini(dir, sqlPort, httpPort, opts.buffers ?? 20_000));
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async () => {
    rmSync(join(dir, 'virtuoso.lck'), { force: true });
    const c = spawn('virtuoso-t', ['-c', iniFile, '+foreground'], { cwd: dir, stdio: 'ignore' });
    child = c;
    exited = new Promise((r) => c.once('exit', (code, signal) => {
      // a Virtuoso that dies on its own (not killed here) says why, or every later request is only "ECONNREFUSED"
      if (signal !== 'SIGKILL') process.stderr.write(`virtuoso-t on port ${httpPort} exited by itself (code ${code}, signal ${signal}); its log ends:\n${log().slice(-3000)}\n`);
      r();
    }));
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (c.exitCode !== null) throw new Error(`virtuoso-t exited with code ${c.exitCode} while starting; log:\n${log().slice(-2000)}`);
      try {
        const res = await fetch(`http://127.0.0.1:${httpPort}/sparql?query=${encodeURIComponent('ASK {}')}`, { headers: { accept: 'application/sparql-results+json' } });
        await res.text();
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`Virtuoso did not start within 60 s; log:\n${log().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  };
  const log = () => (existsSync(join(dir, 'virtuoso.log')) ? readFileSync(join(dir, 'virtuoso.log'), 'utf8') : '');
  const kill = async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    child = undefined;
  };
  await start();
  running.set(dir, () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    url: `http://127.0.0.1:${httpPort}/sparql-auth`,
    gspUrl: `http://127.0.0.1:${httpPort}/sparql-graph-crud-auth`,
    user: 'dba',
    password: 'dba',
    dir,
    httpPort,
    kill,
    start,
    log,
    async stop() {
      await kill();
      running.delete(dir);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
