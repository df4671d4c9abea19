/**
 * The frame every picture shares: an <svg role="img"> named by its <title> and described by its
 * <desc> (read by screen readers, checked by axe-core), number formatting for axis labels, and a
 * colour ramp whose ends meet WCAG contrast against the page text colours.
 */
import { esc } from '../html.js';

export interface Frame {
  /** Unique within the page: prefixes the ids of <title> and <desc>. */
  id: string;
  title: string;
  desc: string;
  width: number;
  height: number;
  body: string;
}

/** An inline SVG picture (for an HTML page). */
export function svgImage(f: Frame): string {
  const id = f.id.replace(/[^A-Za-z0-9_-]/g, '-');
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="${id}-t ${id}-d" viewBox="0 0 ${f.width} ${f.height}" width="${f.width}" height="${f.height}" style="max-width:100%;height:auto" font-family="system-ui,sans-serif" font-size="12"><title id="${id}-t">${esc(f.title)}</title><desc id="${id}-d">${esc(f.desc)}</desc>${f.body}</svg>`;
}

/** The same picture as a standalone image/svg+xml document. */
export const svgDocument = (f: Frame): string => `<?xml version="1.0" encoding="UTF-8"?>\n${svgImage(f)}\n`;

/** 1234 -> "1,234"; 2019110 -> "2.02M"; 0.000123 -> "1.23e-4": short labels for axes and cells. */
export function short(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a !== 0 && (a < 1e-3 || a >= 1e15)) return n.toExponential(2).replace('e', 'e');
  if (a >= 1e9) return `${trim(n / 1e9)}G`;
  if (a >= 1e6) return `${trim(n / 1e6)}M`;
  if (a >= 1e4) return `${trim(n / 1e3)}k`;
  if (Number.isInteger(n)) return n.toLocaleString('en');
  return trim(n);
}
const trim = (n: number) => Number(n.toPrecision(3)).toString();

/** Round a coordinate for path data (keeps SVG sizes small). */
export const r1 = (n: number) => Math.round(n * 10) / 10;

/** Seven classes of ColorBrewer "Blues", light to dark. Text on the first five is near-black, on the last two white: both >= 4.5:1. */
export const BLUES = ['#eff3ff', '#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#084594'];
export const onBlue = (k: number) => (k >= 5 ? '#fff' : '#1a1a1a');

/**
 * Quantile classes for the positive values: class 0 is empty or zero, classes 1-6 hold about a
 * sixth of the positive values each, so every shade is used whatever the spread of the counts.
 * `floors[k - 1]` is the smallest value of class k (classes with equal floors merge).
 */
export function quantileClasses(values: number[]): { of(v: number | undefined): number; floors: number[] } {
  const pos = values.filter((v) => v > 0).sort((a, b) => a - b);
  const n = BLUES.length - 1;
  const floors = pos.length ? [...new Set(Array.from({ length: n }, (_, k) => pos[Math.floor((k / n) * pos.length)]))] : [];
  return {
    floors,
    of(v) {
      if (v === undefined || !(v > 0)) return 0;
      let k = 0;
      while (k < floors.length && v >= floors[k]) k++;
      // spread merged classes over the whole ramp: the top class is always the darkest
      return floors.length <= 1 ? n : Math.max(1, Math.round((k / floors.length) * n));
    },
  };
}

/** Cut a label to n characters with an ellipsis. */
export const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
