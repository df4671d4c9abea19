/**
 * The nodes of an SWC asset, read from its stored file, for drawing (src/http/pictures/skeleton-svg.ts).
 * Files above MAX_DRAWN_BYTES are not read (a 413 names the limit); the coordinate unit is the one
 * recorded at upload (µm by the SWC convention, or nm).
 */
import { createReadStream } from 'node:fs';
import { checkSwc, type SwcNodes } from '../model/assets/swc.js';
import { AssetService } from './assets.js';
import { NotFoundError } from '../model/problems.js';
import type { ServiceContext } from './context.js';
import type { Caller } from '../model/caller.js';

export const MAX_DRAWN_BYTES = 64 * 1024 * 1024;

export class TooLargeToDrawError extends Error {
  constructor(readonly bytes: number, readonly limit: number) { super(`the skeleton file has ${bytes} bytes; projections are drawn for files up to ${limit} bytes (download the file to view it in a desktop viewer)`); this.name = 'TooLargeToDrawError'; }
}

export async function skeletonNodes(ctx: ServiceContext, id: string, name: string, caller: Caller, version?: string): Promise<{ nodes: SwcNodes; unit: 'µm' | 'nm'; name: string }> {
  const a = await new AssetService(ctx).file(id, name, caller, version);
  if (a.kind !== 'SkeletonSWC' || !a.skeleton) throw new NotFoundError(`the asset "${name}" of "${id}" is not an SWC skeleton, so it has no projection`);
  if (a.bytes > MAX_DRAWN_BYTES) throw new TooLargeToDrawError(a.bytes, MAX_DRAWN_BYTES);
  const r = await checkSwc(createReadStream(a.path), { allowForest: true, keepNodes: true, maxProblems: 1 });
  // the cable length was stored in nm: from the file's own cable length, the unit it was read in
  const unit = Math.abs(a.skeleton.cableLengthNm - r.summary.cableLength) < Math.abs(a.skeleton.cableLengthNm - r.summary.cableLength * 1000) ? 'nm' : 'µm';
  return { nodes: r.nodes!, unit, name: a.name };
}
