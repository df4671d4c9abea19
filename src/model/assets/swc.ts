/**
 * SWC skeletons (Cannon et al. 1998; the NeuroMorpho.Org convention): one node per line,
 * `n T x y z R P` separated by spaces or tabs, `#` starts a comment, P = -1 marks a root.
 * Checks: exactly 7 fields, n a positive integer and unique, T an integer >= 0 (0-7 are the
 * standard types, larger ones custom and accepted), x y z R finite numbers, R >= 0, P = -1 or
 * the id of a node in the file (earlier or later), no node its own parent, every node reaches a
 * root (no cycles), and exactly one root, unless several roots (a forest) are allowed by the caller.
 * Summary: node count, branch points (nodes with more than one child), total cable length (sum of
 * the lengths of the segments node-parent, in the file's units) and whether a soma node (T = 1) exists.
 * The parser reads line by line from a stream: the file is never held whole in memory.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export interface SwcProblem { line: number; field?: string; value?: string; message: string }

export interface SwcSummary {
  nodeCount: number;
  branchPointCount: number;
  /** In the units of the file's coordinates (micrometres by SWC convention). */
  cableLength: number;
  hasSoma: boolean;
  rootCount: number;
  /** Counts per SWC type (T). */
  types: Record<string, number>;
}

/** The nodes in file order (with keepNodes): coordinates, SWC type, and the position of the parent (-1: a root or a missing parent). */
export interface SwcNodes { x: number[]; y: number[]; z: number[]; type: number[]; parent: Int32Array }

export interface SwcResult { summary: SwcSummary; problems: SwcProblem[]; problemCount: number; nodes?: SwcNodes }

export interface SwcOptions {
  /** Accept several roots (several trees in one file). Default false: a forest is an error. */
  allowForest?: boolean;
  /** How many problems to list (all are counted). Default 100. */
  maxProblems?: number;
  /** Return the nodes too (for drawing the skeleton). Default false. */
  keepNodes?: boolean;
}

export const SWC_STANDARD_TYPES: Record<number, string> = {
  0: 'undefined', 1: 'soma', 2: 'axon', 3: 'basal dendrite', 4: 'apical dendrite', 5: 'custom (fork point)', 6: 'custom (end point)', 7: 'custom',
};

const INT = /^[+-]?\d+$/;
const NUM = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Parse and check an SWC file given as text or as a byte stream. */
export async function checkSwc(input: string | Readable, opts: SwcOptions = {}): Promise<SwcResult> {
  const max = opts.maxProblems ?? 100;
  const problems: SwcProblem[] = [];
  let problemCount = 0;
  const note = (p: SwcProblem) => { problemCount++; if (problems.length < max) problems.push(p); };

  // node storage in parallel arrays (large skeletons: millions of nodes)
  const ids: number[] = [], parents: number[] = [], lines: number[] = [];
  const xs: number[] = [], ys: number[] = [], zs: number[] = [];
  const index = new Map<number, number>(); // id -> position
  const types: Record<string, number> = {};
  const nodeTypes: number[] = [];
  let hasSoma = false;

  const lineIter = typeof input === 'string' ? input.split(/\r?\n/) : createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  for await (const raw of lineIter as AsyncIterable<string> | string[]) {
    lineNo++;
    const hash = raw.indexOf('#');
    const text = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (!text) continue;
    const f = text.split(/[ \t]+/);
    if (f.length !== 7) { note({ line: lineNo, value: text.slice(0, 120), message: `expected 7 fields "n T x y z R P", found ${f.length}` }); continue; }
    const [n, t, x, y, z, r, p] = f;
    let ok = true;
    const bad = (field: string, value: string, message: string) => { ok = false; note({ line: lineNo, field, value, message }); };
    if (!INT.test(n) || Number(n) < 1 || !Number.isSafeInteger(Number(n))) bad('n', n, 'the node id must be a positive integer');
    if (!INT.test(t) || Number(t) < 0) bad('T', t, 'the type must be an integer >= 0 (0-7 standard, larger values custom)');
    for (const [name, v] of [['x', x], ['y', y], ['z', z], ['R', r]] as const) {
      if (!NUM.test(v) || !Number.isFinite(Number(v))) bad(name, v, `${name} must be a finite number`);
    }
    if (NUM.test(r) && Number(r) < 0) bad('R', r, 'the radius must be >= 0');
    if (!INT.test(p) || (Number(p) < 1 && Number(p) !== -1)) bad('P', p, 'the parent must be -1 (root) or the id of another node');
    if (!ok) continue;
    const id = Number(n), parent = Number(p);
    if (index.has(id)) { note({ line: lineNo, field: 'n', value: n, message: `node id ${id} is used already on line ${lines[index.get(id)!]}` }); continue; }
    if (parent === id) { note({ line: lineNo, field: 'P', value: p, message: `node ${id} is its own parent` }); continue; }
    index.set(id, ids.length);
    ids.push(id); parents.push(parent); lines.push(lineNo);
    xs.push(Number(x)); ys.push(Number(y)); zs.push(Number(z));
    const ty = String(Number(t));
    types[ty] = (types[ty] ?? 0) + 1;
    if (opts.keepNodes) nodeTypes.push(Number(t));
    if (Number(t) === 1) hasSoma = true;
  }

  const count = ids.length;
  const children = new Uint32Array(count);
  const parentPos = new Int32Array(count).fill(-1);
  let roots = 0;
  const rootLines: number[] = [];
  let cable = 0;
  for (let i = 0; i < count; i++) {
    if (parents[i] === -1) { roots++; rootLines.push(lines[i]); continue; }
    const j = index.get(parents[i]);
    if (j === undefined) { note({ line: lines[i], field: 'P', value: String(parents[i]), message: `parent ${parents[i]} of node ${ids[i]} is not in the file` }); continue; }
    parentPos[i] = j;
    children[j]++;
    cable += Math.hypot(xs[i] - xs[j], ys[i] - ys[j], zs[i] - zs[j]);
  }
  // every node must reach a root: walk up with memo (0 unknown, 1 in progress, 2 reaches a root, 3 does not)
  const state = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    if (state[i]) continue;
    const path: number[] = [];
    let k = i;
    let verdict = 2;
    while (true) {
      if (state[k] === 2 || state[k] === 3) { verdict = state[k]; break; }
      if (state[k] === 1) { verdict = 3; note({ line: lines[k], field: 'P', value: String(parents[k]), message: `node ${ids[k]} is part of a cycle of parents (it never reaches a root)` }); break; }
      state[k] = 1; path.push(k);
      if (parents[k] === -1) { verdict = 2; break; }
      if (parentPos[k] < 0) { verdict = 3; break; } // missing parent, reported above
      k = parentPos[k];
    }
    for (const q of path) state[q] = verdict;
  }
  if (count === 0 && problemCount === 0) note({ line: lineNo, message: 'the file has no nodes' });
  else if (roots === 0 && count > 0) note({ line: lines[0], message: 'no root: one node must have parent -1' });
  else if (roots > 1 && !opts.allowForest) {
    note({ line: rootLines[1], message: `${roots} roots (lines ${rootLines.slice(0, 10).join(', ')}${roots > 10 ? ', ...' : ''}); a skeleton has exactly one root (parent -1); upload each tree separately or allow a forest with ?forest=true` });
  }
  let branch = 0;
  for (let i = 0; i < count; i++) if (children[i] > 1) branch++;
  problems.sort((a, b) => a.line - b.line);
  return {
    summary: { nodeCount: count, branchPointCount: branch, cableLength: cable, hasSoma, rootCount: roots, types }, problems, problemCount,
    ...(opts.keepNodes ? { nodes: { x: xs, y: ys, z: zs, type: nodeTypes, parent: parentPos } } : {}),
  };
}
