/** The lineage picture: server-rendered SVG (columns by distance from the starting version). */
import { esc } from '../html.js';
import type { Lineage, LineageKind, LineageNode } from '../../provenance/lineage.js';

const COLOURS: Record<LineageKind, { fill: string; stroke: string; name: string }> = {
  version: { fill: '#dbeafe', stroke: '#1d4ed8', name: 'dataset version (here)' },
  draft: { fill: '#e0e7ff', stroke: '#4338ca', name: 'draft (here)' },
  table: { fill: '#dcfce7', stroke: '#15803d', name: 'compartment table (here)' },
  'source-table': { fill: '#fef3c7', stroke: '#b45309', name: 'source table (e.g. CAVE)' },
  publication: { fill: '#fce7f3', stroke: '#be185d', name: 'publication / method paper' },
  external: { fill: '#f3f4f6', stroke: '#4b5563', name: 'external dataset or resource' },
};

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function subline(n: LineageNode): string {
  const d = n.details;
  if (n.kind === 'version') return `${d.dataset} · version ${d.version}${d.withdrawn ? ' (withdrawn)' : ''}`;
  if (n.kind === 'draft') return `${d.dataset} · draft`;
  if (n.kind === 'table') return `${d.dataset} · ${d.compartment}`;
  if (n.kind === 'source-table') return [d.materializationVersion ? `materialization ${d.materializationVersion}` : '', d.materializationTimestamp?.slice(0, 19) ?? ''].filter(Boolean).join(' · ');
  if (n.kind === 'publication') return `doi:${d.doi}${d.year ? ` (${d.year})` : ''}`;
  return n.label === n.iri ? 'external resource' : n.iri;
}

/** An SVG picture of the lineage (no scripts; each box links to its resource, so the picture is a group of links, not role="img"). */
export function lineageSvg(l: Lineage): string {
  const W = 270, H = 54, GX = 70, GY = 14, PAD = 12;
  const columns = new Map<number, LineageNode[]>();
  for (const n of l.nodes) columns.set(n.depth, [...(columns.get(n.depth) ?? []), n]);
  const depths = [...columns.keys()].sort((a, b) => a - b);
  const pos = new Map<string, { x: number; y: number }>();
  depths.forEach((d, ci) => columns.get(d)!.forEach((n, ri) => pos.set(n.iri, { x: PAD + ci * (W + GX), y: PAD + 24 + ri * (H + GY) })));
  const rows = Math.max(1, ...[...columns.values()].map((c) => c.length));
  const width = PAD * 2 + depths.length * W + Math.max(0, depths.length - 1) * GX;
  const height = PAD * 2 + 24 + rows * (H + GY) + 20 + 18 * Object.keys(COLOURS).length;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="group" aria-labelledby="lineage-title" font-family="system-ui, sans-serif">`);
  parts.push(`<title id="lineage-title">Lineage of ${esc(l.nodes.find((n) => n.iri === l.root)?.label ?? l.root)}: ${l.nodes.length} nodes, ${l.edges.length} links</title>`);
  parts.push('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#6b7280"/></marker></defs>');
  depths.forEach((d, ci) => parts.push(`<text x="${PAD + ci * (W + GX)}" y="${PAD + 12}" font-size="12" fill="#6b7280">${d === 0 ? 'this dataset' : `${d} step${d === 1 ? '' : 's'} back`}</text>`));
  for (const e of l.edges) {
    const a = pos.get(e.from), b = pos.get(e.to);
    if (!a || !b) continue;
    const x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x, y2 = b.y + H / 2;
    const path = x2 > x1
      ? `M${x1},${y1} C${x1 + GX / 2},${y1} ${x2 - GX / 2},${y2} ${x2},${y2}`
      : `M${x1},${y1} C${x1 + GX},${y1} ${x2 - GX},${y2} ${x2},${y2}`;
    const dash = e.relation === 'method paper' ? ' stroke-dasharray="5 3"' : '';
    parts.push(`<path d="${path}" fill="none" stroke="#6b7280" stroke-width="1.3"${dash} marker-end="url(#arrow)"><title>${esc(e.relation)}</title></path>`);
  }
  for (const n of l.nodes) {
    const p = pos.get(n.iri)!;
    const c = COLOURS[n.kind];
    parts.push(`<a href="${esc(n.iri)}"><g><title>${esc(`${n.label}\n${n.iri}`)}</title>`
      + `<rect x="${p.x}" y="${p.y}" width="${W}" height="${H}" rx="6" fill="${c.fill}" stroke="${c.stroke}" stroke-width="${n.iri === l.root ? 2.5 : 1.2}"/>`
      + `<text x="${p.x + 8}" y="${p.y + 21}" font-size="13" fill="#111827">${esc(clip(n.label, 34))}</text>`
      + `<text x="${p.x + 8}" y="${p.y + 40}" font-size="11" fill="#374151">${esc(clip(subline(n), 42))}</text></g></a>`);
  }
  let ly = PAD + 24 + rows * (H + GY) + 14;
  for (const [, c] of Object.entries(COLOURS)) {
    parts.push(`<rect x="${PAD}" y="${ly - 10}" width="14" height="12" fill="${c.fill}" stroke="${c.stroke}"/><text x="${PAD + 20}" y="${ly}" font-size="11" fill="#374151">${esc(c.name)}</text>`);
    ly += 18;
  }
  parts.push('</svg>');
  return parts.join('\n');
}
