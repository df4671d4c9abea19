/** Server-rendered pages (escaped; no scripts needed to read): the shared layout. */
import { escapeMarkup } from '../util/markup-escape.js';

/** Any value as escaped HTML text (undefined and null as nothing). */
export const esc = (s: unknown) => escapeMarkup(String(s ?? ''));

/** Colours meet WCAG AA contrast on white (text #1a1a1a, links #0b57d0, muted #4a4a4a). */
const CSS = `
*{box-sizing:border-box} [hidden]{display:none!important}
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:72rem;margin:0 auto;padding:0 1rem 2rem;color:#1a1a1a;background:#fff}
a{color:#0b57d0} a:hover{color:#06357e}
:focus-visible{outline:3px solid #b35c00;outline-offset:2px}
.skip{position:absolute;left:-999px} .skip:focus{left:1rem;top:.5rem;background:#fff;padding:.3rem .6rem;z-index:2}
header.site{display:flex;flex-wrap:wrap;gap:.3rem 1.2rem;align-items:center;padding:.8rem 0;border-bottom:1px solid #d0d0d0;margin-bottom:1rem}
header.site a{font-weight:600;text-decoration:none} header.site .brand{font-size:1.15rem;margin-right:auto}
h1{font-size:1.7rem;line-height:1.25;margin:.6rem 0} h2{font-size:1.25rem} .muted,small{color:#4a4a4a}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem} dt{font-weight:600} dd{min-width:0;overflow-wrap:anywhere;margin:0}
code,pre{background:#f3f3f3;padding:.1rem .3rem;border-radius:3px;font-size:.92em} pre{padding:.6rem;overflow:auto;white-space:pre-wrap;word-break:break-word}
table{border-collapse:collapse;margin:.4rem 0} td,th{border:1px solid #bbb;padding:.2rem .5rem;text-align:left;vertical-align:top}
input,select,textarea,button{font:inherit} input[type=search],input[type=text],input[type=password],textarea,select{border:1px solid #767676;border-radius:4px;padding:.35rem .5rem;max-width:100%}
button,.button{background:#0b57d0;color:#fff;border:0;border-radius:4px;padding:.4rem .9rem;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary{background:#fff;color:#0b57d0;border:1px solid #0b57d0}
.searchbar{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:.5rem 0 1rem} .searchbar input[type=search]{flex:1 1 16rem;min-width:0}
.layout{display:grid;grid-template-columns:17rem 1fr;gap:1.5rem} .layout>*,fieldset{min-width:0} .scroll{overflow-x:auto;max-width:100%} fieldset.facet label span:not(.count){overflow-wrap:anywhere} @media (max-width:48rem){.layout{grid-template-columns:1fr} dl{grid-template-columns:1fr}}
fieldset.facet{border:1px solid #d0d0d0;border-radius:6px;margin:0 0 .8rem;padding:.4rem .7rem} fieldset.facet legend{font-weight:600;padding:0 .3rem}
fieldset.facet label{display:flex;gap:.4rem;align-items:baseline;padding:.1rem 0} fieldset.facet .count{margin-left:auto;color:#4a4a4a;font-variant-numeric:tabular-nums}
ol.results{list-style:none;padding:0} ol.results>li{border-bottom:1px solid #e2e2e2;padding:.7rem 0} ol.results h2{margin:.1rem 0;font-size:1.15rem}
.badges{display:flex;flex-wrap:wrap;gap:.3rem;padding:0;margin:.3rem 0;list-style:none} .badges li{background:#eef3fd;border-radius:999px;padding:0 .6rem;font-size:.9rem}
.chips a{background:#eef3fd;border-radius:999px;padding:.1rem .6rem;margin:0 .3rem .3rem 0;display:inline-block;text-decoration:none}
nav.pages{display:flex;gap:.8rem;align-items:center;margin:1rem 0}
.citation{border:1px solid #d0d0d0;border-radius:6px;padding:.6rem .9rem;margin:1rem 0} .citation pre{margin:.5rem 0}
.problem{color:#a00000;font-weight:600;margin:.2rem 0} .field{margin:.7rem 0} .field label{display:block;font-weight:600} .field input[type=text],.field input[type=password],.field textarea,.field select{width:100%} .field small{display:block}
.field.invalid input,.field.invalid textarea,.field.invalid select{border:2px solid #a00000}
.status{min-height:1.5em}
.kicker{color:#4a4a4a;font-size:.92rem;margin:1rem 0 0} .creators{margin:.2rem 0 .6rem} .description{font-size:1.02rem}
.badges .badge{display:inline-flex;border-radius:4px;overflow:hidden;font-size:.85rem;background:#fff;padding:0;border:1px solid #bbb}
.badge-k{background:#4a4a4a;color:#fff;padding:.1rem .5rem} .badge-v{color:#1a1a1a;padding:.1rem .5rem;text-decoration:none} a.badge-v{color:#0b57d0;text-decoration:underline}
.badge-doi .badge-k{background:#0b57d0} .badge-licence .badge-k{background:#2e7d32}
.landing{display:grid;grid-template-columns:minmax(0,1fr) 17rem;gap:1.5rem;align-items:start} .landing>*{min-width:0} @media (max-width:60rem){.landing{grid-template-columns:1fr} .landing-side{order:-1}}
.card{border:1px solid #d0d0d0;border-radius:6px;padding:.5rem .9rem;margin:0 0 1rem;background:#fafafa} .card-h{font-size:1rem;margin:.2rem 0 .3rem}
dl.stack{display:block;margin:0} dl.stack dt{margin-top:.5rem;font-size:.85rem;color:#4a4a4a} dl.stack dd{margin:0}
figure.picture{margin:.5rem 0 1.2rem;overflow-x:auto} figure.picture figcaption{color:#4a4a4a;font-size:.92rem;margin-top:.3rem}
table.files{width:100%} table caption{text-align:left;caption-side:top;padding:.2rem 0} th[scope=row]{font-weight:normal} .num{text-align:right;font-variant-numeric:tabular-nums} td.num{white-space:nowrap}
ul.plain{list-style:none;padding:0} ul.plain li{margin:.5rem 0}
.wrap{overflow-wrap:anywhere} .kw{background:#f3f3f3;border-radius:3px;padding:0 .4rem;margin:0 .2rem .2rem 0;display:inline-block;font-size:.9rem} .warn{color:#8a4b00}
.pictures{display:grid;grid-template-columns:repeat(auto-fill,minmax(19rem,1fr));gap:1rem 1.5rem} .pictures figure{margin:0}
.stats{display:flex;flex-wrap:wrap;gap:.5rem 2rem;margin:.6rem 0;padding:0;list-style:none} .stats strong{font-size:1.5rem;display:block}
`;

export function page(title: string, body: string, head = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · SynDB Graph</title>
<style>${CSS}</style>${head}</head>
<body><a class="skip" href="#main">Skip to content</a>
<header class="site"><a class="brand" href="/">SynDB Graph</a><nav aria-label="Main"><a href="/datasets">Datasets</a> · <a href="/collections">Collections</a> · <a href="/sparql">SPARQL</a> · <a href="/upload">Upload</a> · <a href="/api">API</a></nav></header>
<main id="main">${body}</main></body></html>`;
}
