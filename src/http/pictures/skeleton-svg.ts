/**
 * Three orthogonal projections (x-y, x-z, z-y) of an SWC skeleton, segments coloured by SWC type
 * (soma, axon, basal and apical dendrite), one scale for all three panels and a scale bar.
 * Large skeletons are thinned: every k-th node is kept (and every root), each joined to its
 * nearest kept ancestor, so at most MAX_SEGMENTS segments are drawn.
 */
import { esc } from '../html.js';
import type { SwcNodes } from '../../model/assets/swc.js';
import { svgImage, short, r1, type Frame } from './svg-frame.js';

export const MAX_SEGMENTS = 3000;

const TYPES: Array<{ t: number; label: string; colour: string }> = [
  { t: 1, label: 'soma', colour: '#c62828' },
  { t: 2, label: 'axon', colour: '#0b57d0' },
  { t: 3, label: 'basal dendrite', colour: '#2e7d32' },
  { t: 4, label: 'apical dendrite', colour: '#6a3d9a' },
  { t: -1, label: 'other', colour: '#4a4a4a' },
];
const typeOf = (t: number) => TYPES.find((x) => x.t === t) ?? TYPES[TYPES.length - 1];

/** Segments (child, kept ancestor) after thinning to at most `max` segments. */
export function thin(n: SwcNodes, max = MAX_SEGMENTS): Array<[number, number]> {
  const count = n.x.length;
  const k = Math.max(1, Math.ceil(count / max));
  const kept = (i: number) => i % k === 0 || n.parent[i] < 0;
  const out: Array<[number, number]> = [];
  for (let i = 0; i < count; i++) {
    if (!kept(i) || n.parent[i] < 0) continue;
    let a = n.parent[i];
    for (let steps = 0; a >= 0 && !kept(a) && steps < count; steps++) a = n.parent[a];
    if (a >= 0) out.push([i, a]);
  }
  return out;
}

function niceLength(range: number): number {
  const target = range / 4;
  if (!(target > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(target));
  return [1, 2, 5, 10].map((m) => m * p).filter((v) => v <= target).pop() ?? p;
}

export function skeletonFrame(n: SwcNodes, opts: { id: string; name: string; unit: string }): Frame {
  const count = n.x.length;
  const ext = (a: number[]) => { let lo = Infinity, hi = -Infinity; for (const v of a) { if (v < lo) lo = v; if (v > hi) hi = v; } return count ? [lo, hi] : [0, 1]; };
  const [x0, x1] = ext(n.x), [y0, y1] = ext(n.y), [z0, z1] = ext(n.z);
  const range = Math.max(x1 - x0, y1 - y0, z1 - z0, 1e-9);
  const panel = 240, pad = 14, gap = 24, top = 26, legendH = 40;
  const s = (panel - 2 * pad) / range;
  const segs = thin(n);
  // panels: [title, horizontal axis, vertical axis (drawn upwards)]
  const views: Array<[string, (i: number) => number, (i: number) => number, number, number]> = [
    ['x–y (top)', (i) => n.x[i] - x0, (i) => n.y[i] - y0, x1 - x0, y1 - y0],
    ['x–z (front)', (i) => n.x[i] - x0, (i) => n.z[i] - z0, x1 - x0, z1 - z0],
    ['z–y (side)', (i) => n.z[i] - z0, (i) => n.y[i] - y0, z1 - z0, y1 - y0],
  ];
  const width = 3 * panel + 2 * gap, height = top + panel + legendH;
  const parts: string[] = [];
  views.forEach(([title, h, v, hr, vr], p) => {
    const ox = p * (panel + gap) + pad + ((panel - 2 * pad) - hr * s) / 2;
    const oy = top + panel - pad - ((panel - 2 * pad) - vr * s) / 2;
    const X = (i: number) => r1(ox + h(i) * s), Y = (i: number) => r1(oy - v(i) * s);
    parts.push(`<rect x="${p * (panel + gap)}" y="${top}" width="${panel}" height="${panel}" fill="#fafafa" stroke="#d0d0d0"/>`);
    parts.push(`<text x="${p * (panel + gap) + 4}" y="${top - 8}" fill="#1a1a1a">${esc(title)}</text>`);
    const byType = new Map<string, string[]>();
    for (const [c, a] of segs) {
      const colour = typeOf(n.type[c]).colour;
      const list = byType.get(colour) ?? [];
      list.push(`M${X(a)} ${Y(a)}L${X(c)} ${Y(c)}`);
      byType.set(colour, list);
    }
    for (const [colour, d] of byType) parts.push(`<path d="${d.join('')}" stroke="${colour}" stroke-width="1.2" fill="none" stroke-linecap="round"/>`);
    for (let i = 0; i < count && i < 50_000; i++) if (n.type[i] === 1 && n.parent[i] < 0) parts.push(`<circle cx="${X(i)}" cy="${Y(i)}" r="4" fill="#c62828"/>`);
  });
  // scale bar under the first panel, legend beside it
  const bar = niceLength(range);
  const by = top + panel + 18;
  parts.push(`<line x1="4" y1="${by}" x2="${r1(4 + bar * s)}" y2="${by}" stroke="#1a1a1a" stroke-width="2"/><text x="${r1(8 + bar * s)}" y="${by + 4}" fill="#1a1a1a">${esc(short(bar))} ${esc(opts.unit)}</text>`);
  const present = TYPES.filter((t) => (t.t === -1 ? n.type.some((x) => x < 1 || x > 4) : n.type.includes(t.t)));
  present.forEach((t, i) => {
    const x = panel + gap + i * 120;
    parts.push(`<rect x="${x}" y="${by - 8}" width="14" height="10" fill="${t.colour}"/><text x="${x + 18}" y="${by + 2}" fill="#1a1a1a">${esc(t.label)}</text>`);
  });
  const counts = present.map((t) => `${t.label} ${n.type.filter((x) => (t.t === -1 ? x < 1 || x > 4 : x === t.t)).length.toLocaleString('en')}`).join(', ');
  const desc = `Three projections of the skeleton ${opts.name}: ${count.toLocaleString('en')} nodes (${counts}), extent ${short(x1 - x0)} × ${short(y1 - y0)} × ${short(z1 - z0)} ${opts.unit} in x, y, z${segs.length < Math.max(0, count - 1) ? `; thinned to ${segs.length.toLocaleString('en')} segments for drawing` : ''}.`;
  return { id: opts.id, title: `Skeleton ${opts.name}`, desc, width, height, body: parts.join('') };
}

export const skeletonSvg = (n: SwcNodes, opts: { id: string; name: string; unit: string }) => svgImage(skeletonFrame(n, opts));
