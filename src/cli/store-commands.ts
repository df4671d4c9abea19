/**
 * `syndb store verify [--data-dir D] [--json]` and `syndb store repair [--data-dir D] [--drop-after]`:
 * the state of an embedded store's data directory, and the repair of a damaged journal.
 */
import { parseArgs } from 'node:util';
import { configFromEnv } from '../service/config.js';
import { formatVerifyReport, repairDataDir, verifyDataDir } from '../store/open-store.js';

/** A usage error main() maps to exit code 2. */
export class StoreUsageError extends Error {
  readonly code = 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE';
}

export async function storeCmd(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { 'data-dir': { type: 'string' }, 'drop-after': { type: 'boolean' }, json: { type: 'boolean' } },
  });
  if (positionals.length) throw new StoreUsageError(`store ${sub ?? ''}: unexpected argument "${positionals[0]}"`);
  const dataDir = values['data-dir'] ?? configFromEnv().dataDir;
  if (sub === 'verify') {
    if (values['drop-after']) throw new StoreUsageError('--drop-after belongs to "store repair"');
    const report = verifyDataDir(dataDir);
    process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatVerifyReport(report));
    return report.ok ? 0 : 1;
  }
  if (sub === 'repair') {
    const r = await repairDataDir(dataDir, { dropAfter: values['drop-after'] === true, logger: { warn: (m) => process.stderr.write(`syndb: ${m}\n`) } });
    if (values.json) process.stdout.write(`${JSON.stringify({ ...r, report: undefined }, null, 2)}\n`);
    if (!r.repaired) {
      process.stderr.write(`nothing to repair in ${r.report.dataDir}: ${r.report.ok ? 'no damage found' : r.report.problems.join('; ')}\n`);
      return r.report.ok ? 0 : 1;
    }
    const out = [
      `repaired ${r.report.dataDir}:`,
      ...r.damage.map((d) => `  removed: ${d}`),
      `  ${r.kept} transactions replayed; the store is at transaction ${r.lsn} with ${r.quads} quads`,
      ...r.droppedRecords.map((d) => `  not replayed: transaction ${d.lsn} (${d.journal}, byte ${d.offset}): ${d.why}`),
      ...r.notes.map((n) => `  note: ${n}`),
      `a copy of every file the repair replaced, and the damaged bytes, is in ${r.copyDir} (see REPAIR.txt there)`,
    ];
    process.stderr.write(`${out.join('\n')}\n`);
    return 0;
  }
  throw new StoreUsageError(`store: the subcommand is "verify" or "repair"${sub ? `, not "${sub}"` : ''}`);
}
