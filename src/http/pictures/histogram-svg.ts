/**
 * A histogram of one numeric table column, from the column statistics the table files keep
 * (GET /datasets/{id}/tables/{t}/stats: count, nulls, min, max, mean and ten equal-width bins).
 */
import { esc } from '../html.js';
import type { ColumnStats } from '../../store/tables/table-files.js';
import { svgImage, short, type Frame } from './svg-frame.js';

export const hasHistogram = (c: ColumnStats) => Array.isArray(c.histogram) && c.histogram.length > 0;

export function histogramFrame(c: ColumnStats, opts: { id: string; unit?: string }): Frame {
  const bins = (c.histogram ?? []).slice(0, 100);
  const width = 300, height = 150, left = 44, right = 10, top = 12, bottom = 34;
  const w = width - left - right, h = height - top - bottom;
  const peak = Math.max(1, ...bins.map((b) => b.count));
  const bw = w / Math.max(1, bins.length);
  const unit = opts.unit ? ` ${opts.unit}` : '';
  const parts: string[] = [
    `<line x1="${left}" y1="${top + h}" x2="${left + w}" y2="${top + h}" stroke="#4a4a4a"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + h}" stroke="#4a4a4a"/>`,
    `<text x="${left - 4}" y="${top + 8}" text-anchor="end" fill="#1a1a1a" font-size="11">${esc(short(peak))}</text>`,
    `<text x="${left - 4}" y="${top + h}" text-anchor="end" fill="#1a1a1a" font-size="11">0</text>`,
  ];
  bins.forEach((b, i) => {
    const bh = (b.count / peak) * h;
    parts.push(`<rect x="${(left + i * bw + 1).toFixed(1)}" y="${(top + h - bh).toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${bh.toFixed(1)}" fill="#2171b5"><title>${esc(`${short(b.from)} to ${short(b.to)}${unit}: ${b.count.toLocaleString('en')} rows`)}</title></rect>`);
  });
  if (bins.length) {
    parts.push(`<text x="${left}" y="${top + h + 14}" fill="#1a1a1a" font-size="11">${esc(short(bins[0].from))}</text>`);
    parts.push(`<text x="${left + w}" y="${top + h + 14}" text-anchor="end" fill="#1a1a1a" font-size="11">${esc(short(bins[bins.length - 1].to))}</text>`);
  }
  parts.push(`<text x="${left + w / 2}" y="${height - 4}" text-anchor="middle" fill="#4a4a4a" font-size="11">${esc(c.name)}${esc(unit)}</text>`);
  const tallest = bins.reduce((a, b) => (b.count > a.count ? b : a), bins[0] ?? { from: 0, to: 0, count: 0 });
  const desc = `Histogram of ${c.name}: ${c.count.toLocaleString('en')} values${c.nulls ? ` and ${c.nulls.toLocaleString('en')} empty` : ''}`
    + `${typeof c.min === 'number' && typeof c.max === 'number' ? ` from ${short(c.min)} to ${short(c.max)}${unit}` : ''}${typeof c.mean === 'number' ? `, mean ${short(c.mean)}${unit}` : ''}`
    + `; ${bins.length} equal-width bins, the tallest (${short(tallest.from)} to ${short(tallest.to)}) holds ${tallest.count.toLocaleString('en')} rows.`;
  return { id: opts.id, title: `Distribution of ${c.name}`, desc, width, height, body: parts.join('') };
}

export const histogramSvg = (c: ColumnStats, opts: { id: string; unit?: string }) => svgImage(histogramFrame(c, opts));
