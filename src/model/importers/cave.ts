/**
 * CAVE table exports (CSV written from a CAVEclient data frame) -> SynDB compartment CSV.
 *
 * Position columns hold voxel coordinates as "[x, y, z]" or "[x y z]"; they are multiplied by
 * the voxel resolution (nm per voxel, default 4,4,40 as in minnie65) to give centroids in nm.
 *  - synapse tables (pre_pt_root_id, post_pt_root_id, size, ctr_pt_position):
 *    cid = cave_id = id, pre_id / post_id = root ids, voxel_volume = size, centroid = ctr_pt_position
 *  - nucleus tables (volume, pt_root_id, pt_position): cid = id, neuron_id = pt_root_id (0 = none),
 *    mesh_volume = volume (µm³ -> nm³), centroid = pt_position
 * The result is streamed (an async iterable of CSV text) into the ordinary table upload, so the
 * rows are validated by the same compiled shapes and stored the same way.
 */
import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { csvField } from '../../util/csv-field.js';

export interface CaveOptions {
  /** nm per voxel (x, y, z) of the position columns. */
  resolution?: [number, number, number];
}

export interface CaveSource {
  kind: 'synapse' | 'nucleus';
  compartment: 'synapse' | 'nucleus';
  /** SHA-256 and size of the CAVE file as read (complete once the CSV has been consumed). */
  digest(): { sha256: string; bytes: number };
  csv: AsyncIterable<string>;
}

export class CaveFormatError extends Error {
  constructor(message: string) { super(message); this.name = 'CaveFormatError'; }
}

/** "[1, 2, 3]" / "[1 2 3]" / "(1,2,3)" -> numbers, or undefined when empty. */
export function parsePosition(v: string, where: string): [number, number, number] | undefined {
  const t = v.trim();
  if (t === '' || t === 'nan' || t === 'NaN') return undefined;
  const parts = t.replace(/^[[(]|[\])]$/g, '').split(/[\s,]+/).filter(Boolean).map(Number);
  if (parts.length !== 3 || parts.some((x) => !Number.isFinite(x))) throw new CaveFormatError(`${where}: "${v}" is not a position [x, y, z]`);
  return parts as [number, number, number];
}

const num = (x: number) => String(Number(x.toPrecision(12)));

/** Detect the table kind from the header and turn the rows into SynDB CSV lines. */
export function caveToSyndb(source: Readable, opts: CaveOptions = {}): CaveSource {
  const res = opts.resolution ?? [4, 4, 40];
  const hash = createHash('sha256');
  let bytes = 0;
  const tee = new Transform({ transform(chunk: Buffer, _e, cb) { hash.update(chunk); bytes += chunk.length; cb(null, chunk); } });
  source.on('error', (e) => tee.destroy(e));
  const records = source.pipe(tee).pipe(parse({ bom: true, relax_column_count: false, skip_empty_lines: true }));
  let kind: CaveSource['kind'] | undefined;
  let digest: { sha256: string; bytes: number } | undefined;
  async function* lines(): AsyncGenerator<string> {
    let header: string[] | undefined;
    let idx: Record<string, number> = {};
    let line = 1;
    for await (const rec of records as AsyncIterable<string[]>) {
      if (!header) {
        header = rec.map((h) => h.trim());
        idx = Object.fromEntries(header.map((h, i) => [h, i]));
        if ('pre_pt_root_id' in idx && 'post_pt_root_id' in idx) kind = 'synapse';
        else if ('pt_root_id' in idx || 'pt_position' in idx) kind = 'nucleus';
        else throw new CaveFormatError(`the header (${header.join(', ')}) is neither a CAVE synapse table (pre_pt_root_id, post_pt_root_id, size, ctr_pt_position) nor a nucleus table (id, volume, pt_root_id, pt_position)`);
        if (!('id' in idx)) throw new CaveFormatError('the CAVE table has no "id" column');
        yield kind === 'synapse'
          ? 'cid,cave_id,pre_id,post_id,voxel_volume,centroid_x,centroid_y,centroid_z\n'
          : 'cid,neuron_id,mesh_volume,centroid_x,centroid_y,centroid_z\n';
        continue;
      }
      line++;
      const get = (c: string) => (idx[c] !== undefined ? (rec[idx[c]] ?? '').trim() : '');
      const id = get('id');
      if (kind === 'synapse') {
        const p = parsePosition(get('ctr_pt_position'), `line ${line}, ctr_pt_position`);
        const root = (v: string) => (v === '0' ? '' : v);
        yield [id, id, root(get('pre_pt_root_id')), root(get('post_pt_root_id')), get('size'), ...(p ? p.map((x, i) => num(x * res[i])) : ['', '', ''])].map(csvField).join(',') + '\n';
      } else {
        const p = parsePosition(get('pt_position'), `line ${line}, pt_position`);
        const vol = get('volume');
        const nm3 = vol !== '' && Number.isFinite(Number(vol)) ? num(Number(vol) * 1e9) : vol;
        const root = get('pt_root_id');
        yield [id, root === '0' ? '' : root, nm3, ...(p ? p.map((x, i) => num(x * res[i])) : ['', '', ''])].map(csvField).join(',') + '\n';
      }
    }
    digest = { sha256: hash.digest('hex'), bytes };
  }
  const csv = lines();
  return {
    get kind() { if (!kind) throw new Error('the CAVE header has not been read yet'); return kind; },
    get compartment() { return this.kind; },
    digest() { if (!digest) throw new Error('the CAVE file has not been read to the end'); return digest; },
    csv,
  } as CaveSource;
}

/** Peek the header line of a CAVE CSV (to pick the compartment before streaming). */
export function caveKindOfHeader(headerLine: string): CaveSource['kind'] | undefined {
  const h = headerLine.split(',').map((x) => x.trim().replace(/^"|"$/g, ''));
  if (h.includes('pre_pt_root_id') && h.includes('post_pt_root_id')) return 'synapse';
  if (h.includes('pt_root_id') || h.includes('pt_position')) return 'nucleus';
  return undefined;
}
