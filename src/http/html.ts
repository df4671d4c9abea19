/** Minimal server-rendered pages (escaped; no scripts needed to read). */
export const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]!));

export function page(title: string, body: string, head = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · SynDB Graph</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem;color:#1a1a1a}
a{color:#0b57d0} header a{font-weight:600;text-decoration:none} dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}
dt{font-weight:600} code,pre{background:#f3f3f3;padding:.1rem .3rem;border-radius:3px} pre{padding:.6rem;overflow:auto}
table{border-collapse:collapse} td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}
</style>${head}</head>
<body><header><a href="/">SynDB Graph</a> · <a href="/datasets">Datasets</a> · <a href="/sparql">SPARQL</a></header>
<main>${body}</main></body></html>`;
}
