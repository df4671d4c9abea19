/** `syndb table upload DATASET COMPARTMENT FILE.csv` (and the importers, see importCmd). */
import { parseArgs } from 'node:util';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { configFromEnv } from '../service/config.js';
import { openContext } from '../service/context.js';
import { TableService, TableRejected, type UploadProgress } from '../service/tables.js';
import { ADMIN } from './admin-caller.js';

/** A usage error main() maps to exit code 2. */
export class TableUsageError extends Error {
  readonly code = 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE';
}


/** Progress line: rows, rows/s, ETA (estimated from the bytes read while validating). */
export function progressPrinter(label: string, totalBytes: number, out: NodeJS.WriteStream = process.stderr) {
  const start = Date.now();
  let last = 0;
  let phaseStart = start;
  let phase: UploadProgress['phase'] = 'validate';
  return (p: UploadProgress) => {
    const now = Date.now();
    if (p.phase !== phase) { phase = p.phase; phaseStart = now; }
    if (now - last < 200 && p.rows !== p.totalRows) return;
    last = now;
    const secs = Math.max(0.001, (now - phaseStart) / 1000);
    const rate = p.rows / secs;
    let frac: number;
    let eta: string;
    if (p.phase === 'validate') {
      frac = totalBytes ? p.bytes / totalBytes : 0;
      const estRows = frac > 0 ? p.rows / frac : 0;
      eta = rate > 0 && estRows ? `${Math.max(0, Math.ceil((estRows - p.rows) / rate))}s` : '?';
    } else {
      frac = p.totalRows ? p.rows / p.totalRows : 0;
      eta = rate > 0 && p.totalRows ? `${Math.max(0, Math.ceil((p.totalRows - p.rows) / rate))}s` : '?';
    }
    const bar = `[${'#'.repeat(Math.round(Math.min(1, frac) * 24)).padEnd(24, '.')}]`;
    const line = `${label} ${p.phase === 'validate' ? 'validating' : 'storing   '} ${bar} ${p.rows} rows, ${Math.round(rate)} rows/s, ETA ${eta}`;
    if (out.isTTY) out.write(`\r${line}\x1b[K`);
    else if (p.rows === p.totalRows) out.write(`${line}\n`);
  };
}

export async function tableCmd(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'upload') throw new TableUsageError(`table needs a subcommand: table upload DATASET COMPARTMENT FILE.csv (got "${sub ?? ''}")`);
  const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
  if (positionals.length !== 3) throw new TableUsageError('usage: syndb table upload DATASET COMPARTMENT FILE.csv');
  const [id, compartment, file] = positionals;
  if (!existsSync(file)) throw new TableUsageError(`${file}: no such file`);
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

/** `syndb import cave FILE --dataset ID --table NAME [--materialization-version N] [--timestamp T] [--resolution x,y,z]`, `syndb import connectome FILE --dataset ID`. */
export async function importCmd(args: string[]): Promise<number> {
  const [kind, ...rest] = args;
  const { positionals, values } = parseArgs({ args: rest, allowPositionals: true, options: {
    dataset: { type: 'string' }, table: { type: 'string' }, 'materialization-version': { type: 'string' }, timestamp: { type: 'string' }, resolution: { type: 'string' },
  } });
  if (kind !== 'cave' && kind !== 'connectome' && kind !== 'dendritic') throw new TableUsageError(`import needs a kind: cave, connectome or dendritic (got "${kind ?? ''}")`);
  if (kind === 'dendritic') {
    if (!values.dataset || !positionals.length) throw new TableUsageError('usage: syndb import dendritic TABLE.csv... --dataset ID (file names are the table names: mouse.csv, session.csv, ...)');
    const { importDendriticTables } = await import('../service/table-importers.js');
    const { readFileSync } = await import('node:fs');
    const { basename } = await import('node:path');
    for (const f of positionals) if (!existsSync(f)) throw new TableUsageError(`${f}: no such file`);
    const ctx = await openContext(configFromEnv());
    try {
      const r = await importDendriticTables(new TableService(ctx), values.dataset, new Map(positionals.map((f) => [basename(f, '.csv'), readFileSync(f, 'utf8')])), ADMIN);
      process.stdout.write(`${r.tables} tables, ${r.records} records stored in ${r.graph}\n`);
      return 0;
    } finally { await ctx.close(); }
  }
  if (positionals.length !== 1) throw new TableUsageError(`usage: syndb import ${kind} FILE --dataset ID${kind === 'cave' ? ' --table NAME [--materialization-version N] [--timestamp ISO] [--resolution x,y,z]' : ''}`);
  if (!values.dataset) throw new TableUsageError('--dataset ID is required');
  const file = positionals[0];
  if (!existsSync(file)) throw new TableUsageError(`${file}: no such file`);
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
    if (res && (res.length !== 3 || res.some((x) => !(x > 0)))) throw new TableUsageError(`--resolution must be three positive numbers x,y,z (nm per voxel), got "${values.resolution}"`);
    const mv = values['materialization-version'];
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
