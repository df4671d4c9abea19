/** A horizontal bar chart of counts (datasets by species, brain region, method on the home page). */
import { esc } from '../html.js';
import { svgImage, clip, type Frame } from './svg-frame.js';

export const MAX_BARS = 12;

export function barsFrame(items: Array<{ label: string; count: number }>, opts: { id: string; title: string; unit: string }): Frame {
  const shown = items.slice(0, MAX_BARS);
  const labelW = 160, barW = 100, rowH = 22, top = 4;
  const width = labelW + barW + 36, height = top + Math.max(1, shown.length) * rowH + 4;
  const peak = Math.max(1, ...shown.map((i) => i.count));
  const parts = shown.map((it, k) => {
    const y = top + k * rowH;
    const w = Math.max(2, (it.count / peak) * barW);
    return `<text x="${labelW - 6}" y="${y + 15}" text-anchor="end" fill="#1a1a1a" font-size="11">${esc(clip(it.label, 21))}</text>`
      + `<rect x="${labelW}" y="${y + 4}" width="${w.toFixed(1)}" height="14" rx="2" fill="#2171b5"/>`
      + `<text x="${(labelW + w + 5).toFixed(1)}" y="${y + 15}" fill="#1a1a1a">${it.count}</text>`;
  });
  const rest = items.length - shown.length;
  const desc = `${shown.map((i) => `${i.label}: ${i.count} ${i.count === 1 ? opts.unit.replace(/s$/, '') : opts.unit}`).join('; ')}${rest > 0 ? `; and ${rest} more` : ''}.`;
  return { id: opts.id, title: opts.title, desc: shown.length ? desc : `No ${opts.unit} yet.`, width, height, body: parts.join('') };
}

export const barsSvg = (items: Array<{ label: string; count: number }>, opts: { id: string; title: string; unit: string }) => svgImage(barsFrame(items, opts));
