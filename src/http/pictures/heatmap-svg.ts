/**
 * A heatmap of a connectome matrix (presynaptic classes x postsynaptic target types, synapse
 * counts), colour on a log scale in seven classes, counts written in the cells when they fit.
 * Large matrices are reduced first: the MAX_SIDE - 1 rows (columns) with the most synapses are kept
 * and the others summed into one "other (n)" row (column), so the picture stays bounded.
 */
import { esc } from '../html.js';
import { svgImage, short, clip, BLUES, onBlue, quantileClasses, type Frame } from './svg-frame.js';

export interface Matrix {
  rowLabel: string;
  rows: string[];
  columns: string[];
  /** counts[i][j]; undefined for an empty cell */
  counts: Array<Array<number | undefined>>;
}

export const MAX_SIDE = 40;

const total = (xs: Array<number | undefined>) => xs.reduce<number>((a, b) => a + (b ?? 0), 0);

/** Keep the `max - 1` heaviest rows and sum the rest into "other (n)"; the same for columns. */
export function reduceMatrix(m: Matrix, max = MAX_SIDE): Matrix & { reduced: boolean } {
  let { rows, columns, counts } = m;
  let reduced = false;
  if (rows.length > max) {
    reduced = true;
    const order = rows.map((_, i) => i).sort((a, b) => total(counts[b]) - total(counts[a]) || a - b);
    const keep = order.slice(0, max - 1).sort((a, b) => a - b);
    const rest = order.slice(max - 1);
    rows = [...keep.map((i) => rows[i]), `other (${rest.length})`];
    counts = [...keep.map((i) => counts[i]), columns.map((_, j) => rest.reduce<number>((a, i) => a + (counts[i][j] ?? 0), 0))];
  }
  if (columns.length > max) {
    reduced = true;
    const colTotal = (j: number) => counts.reduce<number>((a, r) => a + (r[j] ?? 0), 0);
    const order = columns.map((_, j) => j).sort((a, b) => colTotal(b) - colTotal(a) || a - b);
    const keep = order.slice(0, max - 1).sort((a, b) => a - b);
    const rest = order.slice(max - 1);
    columns = [...keep.map((j) => columns[j]), `other (${rest.length})`];
    counts = counts.map((r) => [...keep.map((j) => r[j]), rest.reduce<number>((a, j) => a + (r[j] ?? 0), 0)]);
  }
  return { rowLabel: m.rowLabel, rows, columns, counts, reduced };
}

/** The heatmap as a picture frame (inline with svgImage, standalone with svgDocument). */
export function heatmapFrame(input: Matrix, opts: { id: string; title: string }): Frame {
  const m = reduceMatrix(input);
  const cls = quantileClasses(m.counts.flat().map((v) => v ?? 0));
  const cell = m.columns.length <= 12 ? 72 : m.columns.length <= 24 ? 32 : 16;
  const cellH = m.rows.length <= 12 ? 34 : m.rows.length <= 24 ? 22 : 14;
  const showNumbers = cell >= 28 && cellH >= 22;
  const rowLabelW = Math.min(200, 14 + 7 * Math.max(4, ...m.rows.map((r) => clip(r, 28).length)));
  const colLabelH = Math.min(150, 16 + 5 * Math.max(4, ...m.columns.map((c) => clip(c, 28).length))); // labels turned 50°: about 5 px of height per character
  const left = rowLabelW, top = colLabelH + 8;
  const gridW = cell * m.columns.length, gridH = cellH * m.rows.length;
  const legendY = top + gridH + 30;
  const width = Math.max(left + gridW + 40, left + 7 * 46 + 20), height = legendY + 36;
  const parts: string[] = [];
  // column labels, rotated
  m.columns.forEach((c, j) => {
    const x = left + j * cell + cell / 2;
    parts.push(`<text x="${x}" y="${top - 6}" transform="rotate(-50 ${x} ${top - 6})" fill="#1a1a1a">${esc(clip(c, 28))}</text>`);
  });
  m.rows.forEach((r, i) => {
    const y = top + i * cellH + cellH / 2 + 4;
    parts.push(`<text x="${left - 6}" y="${y}" text-anchor="end" fill="#1a1a1a">${esc(clip(r, 28))}</text>`);
    m.columns.forEach((c, j) => {
      const v = m.counts[i][j];
      const k = cls.of(v);
      const x = left + j * cell;
      parts.push(`<rect x="${x}" y="${top + i * cellH}" width="${cell}" height="${cellH}" fill="${BLUES[k]}" stroke="#fff" stroke-width="1"><title>${esc(`${r} → ${c}: ${v === undefined ? 'no value' : `${v.toLocaleString('en')} synapses`}`)}</title></rect>`);
      if (showNumbers && v !== undefined) parts.push(`<text x="${x + cell / 2}" y="${top + i * cellH + cellH / 2 + 4}" text-anchor="middle" fill="${onBlue(k)}" font-size="11">${esc(short(v))}</text>`);
    });
  });
  // legend: the classes in use, each with its smallest count
  const sw = 46;
  const used = [...new Set([0, ...cls.floors.map((fl) => cls.of(fl))])].sort((a, b) => a - b);
  parts.push(`<text x="${left}" y="${legendY - 6}" fill="#4a4a4a" font-size="11">synapses per cell</text>`);
  used.forEach((k, i) => {
    const x = left + i * sw;
    const floor = k === 0 ? 0 : cls.floors.find((fl) => cls.of(fl) === k) ?? 0;
    parts.push(`<rect x="${x}" y="${legendY}" width="${sw}" height="12" fill="${BLUES[k]}" stroke="#767676" stroke-width="0.5"/>`);
    parts.push(`<text x="${x}" y="${legendY + 26}" fill="#1a1a1a" font-size="11">${k === 0 ? '0' : `≥${esc(short(floor))}`}</text>`);
  });
  const cells = m.counts.flat();
  let best = { v: -1, r: '', c: '' };
  input.counts.forEach((row, i) => row.forEach((v, j) => { if ((v ?? -1) > best.v) best = { v: v ?? -1, r: input.rows[i], c: input.columns[j] }; }));
  const sum = total(cells);
  const desc = `Heatmap of ${input.rows.length} ${m.rowLabel || 'presynaptic classes'} by ${input.columns.length} postsynaptic target types${m.reduced ? ` (shown: the ${MAX_SIDE - 1} largest of each, the others summed as "other")` : ''}; ${sum.toLocaleString('en')} synapses in all.${best.v >= 0 ? ` The largest cell is ${best.r} → ${best.c} with ${best.v.toLocaleString('en')} synapses.` : ''} Darker cells have more synapses (shades by sixths of the non-empty cells).`;
  return { id: opts.id, title: opts.title, desc, width, height, body: parts.join('') };
}

export const heatmapSvg = (m: Matrix, opts: { id: string; title: string }) => svgImage(heatmapFrame(m, opts));
