/** `syndb table upload DATASET COMPARTMENT FILE.csv` and `syndb import KIND FILE...` on the local data directory. */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { configFromEnv } from '../service/config.js';
import { openContext } from '../service/context.js';
import { TableService, TableRejected, type UploadProgress } from '../service/tables.js';
import { ADMIN } from './admin-caller.js';
import { UsageError } from './usage-error.js';
import { Progress } from './progress.js';



/** Progress of a table upload: rows, rows/s, ETA (while validating, the total is estimated from the bytes read). */
export function progressPrinter(label: string, totalBytes: number, out: NodeJS.WriteStream = process.stderr) {
  const verb = { receive: 'receiving', validate: 'validating', store: 'storing' } as const;
  let phase: UploadProgress['phase'] | undefined;
  let bar = new Progress(label, { out });
  return (p: UploadProgress) => {
    if (p.phase !== phase) {
      phase = p.phase;
      bar = new Progress(`${label} ${verb[phase]}`, { unit: 'rows', plainEveryMs: 0, out });
    }
    const total = p.phase === 'validate' ? (p.bytes > 0 && totalBytes > 0 ? Math.round((p.rows * totalBytes) / p.bytes) : undefined) : p.totalRows;
    bar.set(p.rows, total);
    if (!out.isTTY && p.totalRows !== undefined && p.rows === p.totalRows) bar.finish();
  };
}

export async function tableUpload(id: string, compartment: string, file: string): Promise<number> {
  if (!existsSync(file)) throw new UsageError(`${file}: no such file`);
  const size = statSync(file).size;
  const ctx = await openContext(configFromEnv());
  try {
    const svc = new TableService(ctx);
    const t0 = Date.now();
    const r = await svc.upload(id, compartment, createReadStream(file), ADMIN, { label: file, onProgress: progressPrinter(`${id}/${compartment}`, size) });
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    const secs = (Date.now() - t0) / 1000;
    process.stdout.write(`${file}: ${r.rows} rows stored in ${r.table} (${secs.toFixed(1)} s, ${Math.round(r.rows / secs)} rows/s); sha256 ${r.sha256}\n`);
    return 0;
  } catch (e) {
    if (e instanceof TableRejected) {
      if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
      process.stdout.write(`${file}: ${e.message}\n`);
      for (const h of e.header) process.stdout.write(`  header, column ${h.position} "${h.column}": ${h.message}\n`);
      for (const p of e.problems) process.stdout.write(`  row ${p.row}, column ${p.column}${p.value !== undefined ? `, value "${p.value}"` : ''}: ${p.expected} [${p.kind}]\n`);
      if (e.total > e.problems.length) process.stdout.write(`  … and ${e.total - e.problems.length} more\n`);
      if (Object.keys(e.counts).length) process.stdout.write(`  counts: ${Object.entries(e.counts).map(([k, n]) => `${k} ${n}`).join(', ')}\n`);
      return 1;
    }
    throw e;
  } finally {
    await ctx.close();
  }
}

export type ImportKind = 'cave' | 'connectome' | 'dendritic';
export interface ImportOptions { dataset: string; table?: string; materializationVersion?: string; timestamp?: string; resolution?: string }

/** `syndb import cave FILE --dataset ID --table NAME [--materialization-version N] [--timestamp T] [--resolution x,y,z]`, `syndb import connectome FILE --dataset ID`, `syndb import dendritic TABLE.csv... --dataset ID`. */
export async function importTables(kind: ImportKind, positionals: string[], values: ImportOptions): Promise<number> {
  if (kind === 'dendritic') {
    const { importDendriticTables } = await import('../service/table-importers.js');
    const { readFileSync } = await import('node:fs');
    const { basename } = await import('node:path');
    for (const f of positionals) if (!existsSync(f)) throw new UsageError(`${f}: no such file`);
    const ctx = await openContext(configFromEnv());
    try {
      const r = await importDendriticTables(new TableService(ctx), values.dataset, new Map(positionals.map((f) => [basename(f, '.csv'), readFileSync(f, 'utf8')])), ADMIN);
      process.stdout.write(`${r.tables} tables, ${r.records} records stored in ${r.graph}\n`);
      return 0;
    } finally { await ctx.close(); }
  }
  if (positionals.length !== 1) throw new UsageError(`import ${kind} takes one file (got ${positionals.length})`);
  const file = positionals[0];
  if (!existsSync(file)) throw new UsageError(`${file}: no such file`);
  const { importCave, importConnectome } = await import('../service/table-importers.js');
  const { readFileSync } = await import('node:fs');
  const ctx = await openContext(configFromEnv());
  try {
    const svc = new TableService(ctx);
    if (kind === 'connectome') {
      const r = await importConnectome(svc, values.dataset, readFileSync(file, 'utf8'), ADMIN, { label: file });
      process.stdout.write(`${file}: ${r.rows} x ${r.columns} matrix, ${r.cells} counts stored in ${r.table}\n`);
      return 0;
    }
    const res = values.resolution?.split(',').map(Number);
    if (res && (res.length !== 3 || res.some((x) => !(x > 0)))) throw new UsageError(`--resolution must be three positive numbers x,y,z (nm per voxel), got "${values.resolution}"`);
    const mv = values.materializationVersion;
    const r = await importCave(svc, values.dataset, createReadStream(file), ADMIN, {
      table: values.table ?? '', materializationVersion: mv === undefined ? undefined : Number(mv), timestamp: values.timestamp,
      resolution: res as [number, number, number] | undefined, label: file, onProgress: progressPrinter(`${values.dataset}/cave`, statSync(file).size),
    });
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    process.stdout.write(`${file}: ${r.rows} rows stored as the ${r.compartment} table ${r.table}\n`);
    return 0;
  } catch (e) {
    if (e instanceof TableRejected) {
      process.stdout.write(`${file}: ${e.message}\n`);
      for (const p of e.problems) process.stdout.write(`  row ${p.row}, column ${p.column}${p.value !== undefined ? `, value "${p.value}"` : ''}: ${p.expected} [${p.kind}]\n`);
      return 1;
    }
    if ((e as Error).name === 'CaveFormatError') { process.stdout.write(`${file}: ${(e as Error).message}\n`); return 1; }
    throw e;
  } finally {
    await ctx.close();
  }
}
