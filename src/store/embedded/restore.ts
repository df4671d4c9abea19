/** Offline restore of a closed data directory from a backup, and the bulk-load files (loads/) that journal records name. */
import { existsSync, mkdirSync, readdirSync, rmSync, openSync, closeSync, fsyncSync, readFileSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Store } from 'oxigraph';
import { StoreError } from '../graph-store.js';
import { acquireLock, fsyncDir, journalName, readManifest, snapshotDirName, writeManifest, type Manifest, fileSeq } from './files.js';
import { writeSnapshot } from './snapshot.js';
import { storeLog, type StoreLogger } from '../store-log.js';

/** Directory (inside the data directory) of the files of committed bulk loads, named <lsn>-<n>.nt. */
export const LOADS_DIR = 'loads';

/** Delete the bulk-load files whose transaction number passes `drop`. */
export function removeLoadFiles(dataDir: string, drop: (lsn: number) => boolean, note?: (name: string) => void): void {
  const dir = join(dataDir, LOADS_DIR);
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const m = /^(\d+)-\d+\.nt$/.exec(name);
    if (!m || !drop(Number(m[1]))) continue;
    note?.(name);
    rmSync(join(dir, name), { force: true });
  }
}

/**
 * Replace the whole content of a closed data directory with the N-Quads (optionally .gz) of `file`,
 * e.g. a backup(). Takes the writer lock for the duration (StoreError 'locked' if the store is open).
 * Runs on the calling thread (an offline operation).
 */
export async function restoreStore(dataDir: string, file: string, options: { logger?: StoreLogger } = {}): Promise<{ quads: number; graphs: number }> {
  const dir = resolvePath(dataDir);
  const { warn } = storeLog(options.logger, 'store');
  mkdirSync(dir, { recursive: true });
  const release = acquireLock(dir, warn);
  try {
    let data: Buffer = readFileSync(file);
    if (file.endsWith('.gz')) data = gunzipSync(data);
    const store = new Store();
    try {
      store.load(data, { format: 'application/n-quads', no_transaction: true });
    } catch (e) {
      throw new StoreError(`${file} is not valid N-Quads: ${(e as Error).message}`, 'bad-input');
    }
    if (store.query('ASK { ?s ?p ?o }')) {
      throw new StoreError(`${file} contains quads in the default graph; every quad of a store backup names its graph`, 'bad-input');
    }
    const blank = store.query('SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isBlank(?s) || isBlank(?o) || isBlank(?g)) } LIMIT 1') as Map<string, { toString(): string }>[];
    if (blank.length > 0) {
      const b = blank[0];
      throw new StoreError(`${file} contains blank nodes (e.g. ${b.get('s')} ${b.get('p')} ${b.get('o')} in ${b.get('g')}); the store never holds blank nodes`, 'bad-input');
    }
    const old = readManifest(dir);
    let seq = old ? Math.max(fileSeq(old.snapshot.dir), ...old.journals.map((j) => fileSeq(j.file))) : 0;
    for (const name of readdirSync(dir)) seq = Math.max(seq, fileSeq(name.replace(/\.log$/, '')));
    seq++;
    const dirName = snapshotDirName(seq);
    const files = writeSnapshot(store, dir, dirName);
    const jfile = journalName(seq);
    const fd = openSync(join(dir, jfile), 'w');
    fsyncSync(fd);
    closeSync(fd);
    fsyncDir(dir);
    const m: Manifest = {
      format: 'syndb-embedded-store',
      version: 1,
      generation: seq,
      snapshot: { dir: dirName, lsn: 0, files },
      journals: [{ file: jfile, firstLsn: 1 }],
    };
    writeManifest(dir, m);
    for (const name of readdirSync(dir)) {
      if (/^(snapshot-\d+|journal-\d+\.log)$/.test(name) && name !== dirName && name !== jfile) rmSync(join(dir, name), { recursive: true, force: true });
    }
    rmSync(join(dir, LOADS_DIR), { recursive: true, force: true });
    const quads = files.reduce((a, f) => a + f.quads, 0);
    return { quads, graphs: files.length };
  } finally {
    release();
  }
}
