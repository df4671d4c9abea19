/**
 * `syndb store verify [--data-dir D] [--json]` and `syndb store repair [--data-dir D] [--drop-after]`:
 * the state of an embedded store's data directory, and the repair of a damaged journal.
 */
import { configFromEnv } from '../service/config.js';
import { formatVerifyReport, repairDataDir, verifyDataDir } from '../store/open-store.js';

export interface StoreOptions { dataDir?: string; json?: boolean }

/** `syndb store verify`: exit 1 on any problem. */
export function storeVerify(o: StoreOptions): number {
  const report = verifyDataDir(o.dataDir ?? configFromEnv().dataDir);
  process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : formatVerifyReport(report));
  return report.ok ? 0 : 1;
}

/** `syndb store repair`. */
export async function storeRepair(o: StoreOptions & { dropAfter?: boolean }): Promise<number> {
  const r = await repairDataDir(o.dataDir ?? configFromEnv().dataDir, { dropAfter: o.dropAfter === true, logger: { warn: (m) => process.stderr.write(`syndb: ${m}\n`) } });
  if (o.json) process.stdout.write(`${JSON.stringify({ ...r, report: undefined }, null, 2)}\n`);
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
