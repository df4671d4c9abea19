/**
 * GET /openapi.json (the OpenAPI 3.1 document of openapi.ts) and GET /api, the same document
 * rendered on the server as a readable reference in the site's layout (no script, no CDN).
 */
import { Router } from 'express';
import type { ServiceContext } from '../service/context.js';
import { openApiDocument } from './openapi.js';
import { page, esc } from './html.js';
import { negotiate } from './negotiate.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the document is walked generically
type Json = Record<string, any>;

const METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete'];
const anchor = (method: string, path: string) => `${method}-${path.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'root'}`;

/** Follow a local $ref (#/components/…). */
function deref(doc: Json, o: Json): Json {
  if (!o || typeof o.$ref !== 'string') return o;
  return o.$ref.slice(2).split('/').reduce((x: Json, k: string) => x?.[k], doc) ?? o;
}

function schemaText(doc: Json, s: Json | undefined): string {
  if (!s) return '';
  if (s.$ref) return s.$ref.split('/').pop();
  if (s.enum) return s.enum.map((v: unknown) => JSON.stringify(v)).join(' | ');
  if (s.type === 'array') return `array of ${schemaText(doc, s.items) || 'values'}`;
  if (s.oneOf) return s.oneOf.map((x: Json) => schemaText(doc, x)).join(' or ');
  return Array.isArray(s.type) ? s.type.join(' | ') : s.type ?? '';
}

function mediaList(content: Json | undefined): string {
  if (!content) return '';
  return Object.keys(content).map((t) => `<code>${esc(t)}</code>`).join(' ');
}

export function renderApiPage(doc: Json): string {
  const ops: Array<{ method: string; path: string; op: Json }> = [];
  for (const [path, item] of Object.entries(doc.paths as Json)) for (const m of METHODS) if (item[m]) ops.push({ method: m, path, op: item[m] });
  const tags: string[] = doc.tags.map((t: Json) => t.name);
  const toc = tags.map((t) => {
    const mine = ops.filter((o) => o.op.tags?.[0] === t);
    return `<li><a href="#tag-${esc(t.replace(/\s+/g, '-'))}">${esc(t)}</a> <small>(${mine.length})</small></li>`;
  }).join('');
  const sections = tags.map((t) => {
    const mine = ops.filter((o) => o.op.tags?.[0] === t);
    const items = mine.map(({ method, path, op }) => {
      const params = (op.parameters ?? []).map((p0: Json) => deref(doc, p0));
      const paramRows = params.map((p: Json) => `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}${p.required ? ', required' : ''}</td><td>${esc(schemaText(doc, p.schema))}</td><td>${esc(p.description ?? '')}</td></tr>`).join('');
      const rb = op.requestBody ? deref(doc, op.requestBody) : undefined;
      const responses = Object.entries(op.responses as Json).map(([code, r0]) => {
        const r = deref(doc, r0 as Json);
        return `<tr><td><code>${esc(code)}</code></td><td>${esc(r.description ?? '')}</td><td>${mediaList(r.content)}</td></tr>`;
      }).join('');
      const secured = Array.isArray(op.security) && op.security.length > 0 && op.security.every((s: Json) => Object.keys(s).length > 0);
      return `<section class="operation" id="${anchor(method, path)}" data-method="${method}" data-path="${esc(path)}">
<h3><span class="method">${method.toUpperCase()}</span> <code>${esc(path)}</code></h3>
<p>${esc(op.summary ?? '')}${secured ? ' <strong>Needs a bearer token.</strong>' : ''}</p>
${params.length ? `<div class="scroll"><table><caption>Parameters</caption><thead><tr><th scope="col">name</th><th scope="col">in</th><th scope="col">type</th><th scope="col">meaning</th></tr></thead><tbody>${paramRows}</tbody></table></div>` : ''}
${rb ? `<p>Request body${rb.required ? '' : ' (optional)'}: ${esc(rb.description ?? '')} ${mediaList(rb.content)}</p>` : ''}
<div class="scroll"><table><caption>Responses</caption><thead><tr><th scope="col">status</th><th scope="col">meaning</th><th scope="col">media types</th></tr></thead><tbody>${responses}</tbody></table></div>
</section>`;
    }).join('\n');
    return `<section id="tag-${esc(t.replace(/\s+/g, '-'))}"><h2>${esc(t)}</h2>${items}</section>`;
  }).join('\n');
  const problem = doc.components.schemas.Problem;
  const problemRows = Object.entries(problem.properties as Json).map(([k, v]) => `<tr><td><code>${esc(k)}</code></td><td>${esc(schemaText(doc, v as Json))}</td><td>${esc((v as Json).description ?? '')}</td></tr>`).join('');
  return page('API reference', `<h1>${esc(doc.info.title)} API <small>${esc(doc.info.version)}</small></h1>
<p>${esc(doc.info.description)}</p>
<p>The machine-readable document: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${esc(doc.openapi)}). Server: <code>${esc(doc.servers?.[0]?.url ?? '')}</code>.
Authentication: <code>Authorization: Bearer &lt;token&gt;</code> (HTTP bearer); reads need none except for private and embargoed datasets.</p>
<nav aria-label="API sections"><ul>${toc}<li><a href="#errors">Errors</a></li></ul></nav>
${sections}
<section id="errors"><h2>Errors</h2><p>Every error is <code>application/problem+json</code> (RFC 9457):</p>
<div class="scroll"><table><caption>Problem details</caption><thead><tr><th scope="col">member</th><th scope="col">type</th><th scope="col">meaning</th></tr></thead><tbody>${problemRows}</tbody></table></div></section>`,
  '<style>.operation{border-top:1px solid #d0d0d0;padding:.4rem 0} .operation h3{font-size:1.05rem;margin:.4rem 0} .method{display:inline-block;min-width:4.5rem;font-weight:700;color:#06357e} caption{text-align:left;font-weight:600;padding:.2rem 0}</style>');
}

export function openApiRouter(ctx: ServiceContext): Router {
  const r = Router();
  let cached: Json | undefined;
  const doc = () => (cached ??= openApiDocument(ctx.iris.base));
  r.get('/openapi.json', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(doc());
  });
  r.get('/api', (req, res) => {
    negotiate(req, ['text/html']);
    res.type('html').send(renderApiPage(doc()));
  });
  return r;
}
