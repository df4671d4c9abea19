/** The byte sizes of a table graph's files (its dcat:Distribution nodes: CSV and Parquet), for pages. */
import { NS } from '../model/namespaces.js';
import type { ServiceContext } from './context.js';

export async function distributionSizes(ctx: ServiceContext, graph: string): Promise<{ csv?: number; parquet?: number }> {
  const res = await ctx.store.select(`PREFIX dcat: <${NS.dcat}> PREFIX syndb: <${NS.syndb}>
    SELECT ?file ?bytes WHERE { <${graph}> dcat:distribution ?d . ?d syndb:fileName ?file ; dcat:byteSize ?bytes }`, { defaultGraph: [graph] });
  const out: { csv?: number; parquet?: number } = {};
  for (const b of res) {
    const kind = b.file.value.endsWith('.csv') ? 'csv' : b.file.value.endsWith('.parquet') ? 'parquet' : undefined;
    if (kind) out[kind] = Number(b.bytes.value);
  }
  return out;
}
