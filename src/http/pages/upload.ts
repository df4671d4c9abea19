/**
 * The upload form for contributors: a plain HTML form (works without JavaScript) that the
 * server turns into Dataset JSON; every problem is shown next to its field.
 */
import { esc, page } from '../html.js';
import { COMPARTMENTS } from '../../model/compartment-names.js';
import { expandCurie } from '../../model/namespaces.js';
import { FIELD_OF_PROPERTY } from '../../model/dataset-json.js';
import type { Problem } from '../../model/problems.js';
import { SCRIPT } from './search.js';

export type UploadForm = Record<string, string | string[] | undefined>;

const lines = (s: unknown) => String(s ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
const commas = (s: unknown) => String(s ?? '').split(/[,\n]/).map((l) => l.trim()).filter(Boolean);
const str = (s: unknown) => (typeof s === 'string' ? s.trim() : Array.isArray(s) ? String(s[0] ?? '').trim() : '');

/** The Dataset JSON (INTERFACE.md) for the form fields; empty fields are left out so the service names what is missing. */
export function formToDatasetJson(f: UploadForm): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const k of ['id', 'title', 'description', 'license', 'species', 'brainRegion', 'microscopyMethod', 'strain', 'access']) if (str(f[k])) o[k] = str(f[k]);
  const creators = lines(f.creators).map((l) => {
    const [name, orcid, affiliation] = l.split('|').map((x) => x.trim());
    return { name, ...(orcid ? { orcid } : {}), ...(affiliation ? { affiliation } : {}) };
  });
  o.creators = creators;
  const compartments = f.compartments === undefined ? [] : Array.isArray(f.compartments) ? f.compartments : [f.compartments];
  o.compartments = compartments;
  const gm = lines(f.geneticManipulations).map((l) => { const [gene, ...rest] = l.split(/\s+/); return { gene, expression: rest.join(' ') }; });
  if (gm.length) o.geneticManipulations = gm;
  const pubs = lines(f.publications).map((doi) => ({ doi }));
  if (pubs.length) o.publications = pubs;
  for (const k of ['keywords', 'tags', 'identifiers']) { const v = commas(f[k]); if (v.length) o[k] = v; }
  return o;
}

/** The form field a problem belongs to ('' = the form as a whole). */
export function fieldOf(p: Problem): string {
  const head = p.path.split(/[.[]/)[0];
  if (FIELDS.some((f) => f.name === head)) return head;
  const full = expandCurie(p.path) ?? p.path.replace(/^<|>$/g, '');
  return FIELD_OF_PROPERTY[full] ?? '';
}

const FIELDS: Array<{ name: string; label: string; help: string; type?: 'textarea' | 'select' | 'compartments' | 'password' | 'checkbox'; required?: boolean; options?: string[] }> = [
  { name: 'token', label: 'Your API token', help: 'Contributors get one with: syndb token create --name YOU --role contributor. Kept in this browser tab only.', type: 'password', required: true },
  { name: 'title', label: 'Title', help: 'What the data are, in one line.', required: true },
  { name: 'id', label: 'Identifier (optional)', help: 'A short slug for the URL, e.g. my-spines-v1 (lower-case letters, digits, "-"). Made from the title if empty.' },
  { name: 'description', label: 'Description', help: 'What was imaged and reconstructed, and how.', type: 'textarea', required: true },
  { name: 'creators', label: 'Creators', help: 'One per line, in author order: Family, Given | ORCID (optional) | affiliation (optional).', type: 'textarea', required: true },
  { name: 'species', label: 'Species', help: 'A name or CURIE: mouse, human, NCBITaxon:10090.', required: true },
  { name: 'brainRegion', label: 'Brain region', help: 'An atlas name or CURIE: VISp, primary visual area, MBA:385, UBERON:0000956.', required: true },
  { name: 'microscopyMethod', label: 'Microscopy method', help: 'SBEM, FIB-SEM, ssTEM, ATUM-SEM, two-photon, confocal, …', required: true },
  { name: 'compartments', label: 'Compartments (tables you will upload)', help: 'At least one.', type: 'compartments', required: true },
  { name: 'license', label: 'Licence', help: 'An SPDX id: CC-BY-4.0, CC0-1.0, …', required: true },
  { name: 'geneticManipulations', label: 'Genetic manipulations (optional)', help: 'One per line: gene then kind, e.g. Fmr1 knock-out.', type: 'textarea' },
  { name: 'publications', label: 'Publications (optional)', help: 'DOIs of the articles the data supplement, one per line.', type: 'textarea' },
  { name: 'keywords', label: 'Keywords (optional)', help: 'Comma-separated.' },
  { name: 'tags', label: 'Tags (optional)', help: 'Comma-separated; datasets with the same tag are grouped.' },
  { name: 'access', label: 'Access', help: 'Private datasets are seen only by you and curators.', type: 'select', options: ['public', 'private'] },
  { name: 'publish', label: 'Publish as version 1 now', help: 'Otherwise it stays a draft that only you can see.', type: 'checkbox' },
];

export function renderUpload(form: UploadForm, problems: Problem[] = [], note = ''): string {
  const byField = new Map<string, Problem[]>();
  for (const p of problems) { const f = fieldOf(p); byField.set(f, [...(byField.get(f) ?? []), p]); }
  const val = (n: string) => (n === 'token' ? '' : str(form[n]));
  const field = (f: (typeof FIELDS)[number]) => {
    const ps = byField.get(f.name) ?? [];
    const errId = `${f.name}-err`, helpId = `${f.name}-help`;
    const describedBy = `${helpId}${ps.length ? ` ${errId}` : ''}`;
    const aria = `aria-describedby="${describedBy}"${ps.length ? ' aria-invalid="true"' : ''}${f.required ? ' required' : ''}`;
    const errs = ps.length ? `<div id="${errId}">${ps.map((p) => `<p class="problem">${esc(p.message)}${p.value !== undefined ? ` (value: “${esc(p.value)}”)` : ''}${p.suggestions?.length && !/closest:/.test(p.message) ? ` Did you mean: ${p.suggestions.map((s) => esc(`${s.label} (${s.curie ?? s.iri})`)).join(', ')}?` : ''}</p>`).join('')}</div>` : '';
    let input: string;
    if (f.type === 'textarea') input = `<textarea id="${f.name}" name="${f.name}" rows="3" ${aria}>${esc(val(f.name))}</textarea>`;
    else if (f.type === 'select') input = `<select id="${f.name}" name="${f.name}" ${aria}>${f.options!.map((o) => `<option${val(f.name) === o ? ' selected' : ''}>${o}</option>`).join('')}</select>`;
    else if (f.type === 'checkbox') return `<div class="field"><label><input type="checkbox" name="${f.name}" value="1"${form[f.name] ? ' checked' : ''} aria-describedby="${helpId}"> ${esc(f.label)}</label><small id="${helpId}">${esc(f.help)}</small></div>`;
    else if (f.type === 'compartments') {
      const chosen = new Set(form.compartments === undefined ? [] : Array.isArray(form.compartments) ? form.compartments : [form.compartments]);
      return `<fieldset class="field${ps.length ? ' invalid' : ''}" aria-describedby="${describedBy}"><legend><strong>${esc(f.label)}</strong></legend>${COMPARTMENTS.map((c) => `<label style="display:inline-block;margin-right:1rem;font-weight:400"><input type="checkbox" name="compartments" value="${c.slug}"${chosen.has(c.slug) ? ' checked' : ''}> ${esc(c.slug)}</label>`).join('')}<small id="${helpId}">${esc(f.help)}</small>${errs}</fieldset>`;
    } else input = `<input type="${f.type === 'password' ? 'password' : 'text'}" id="${f.name}" name="${f.name}" value="${esc(val(f.name))}" ${aria}${f.name === 'token' ? ' data-remember autocomplete="off"' : ''}>`;
    return `<div class="field${ps.length ? ' invalid' : ''}"><label for="${f.name}">${esc(f.label)}</label>${input}<small id="${helpId}">${esc(f.help)}</small>${errs}</div>`;
  };
  const general = byField.get('') ?? [];
  const summary = problems.length ? `<div role="alert" id="problems"><h2>${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was stored</h2>${general.length ? `<ul>${general.map((p) => `<li class="problem">${esc(p.path ? `${p.path}: ` : '')}${esc(p.message)}</li>`).join('')}</ul>` : '<p>Each one is shown next to its field below.</p>'}</div>` : '';
  const body = `<h1>Upload a dataset</h1>
<p>Describe the dataset; tables are uploaded afterwards (<code>PUT /datasets/{id}/tables/{compartment}</code>). Controlled values accept a name, a synonym or a CURIE.</p>
${note}${summary}
<form method="post" action="/upload" novalidate>${FIELDS.map(field).join('')}<button type="submit">Check and upload</button></form>`;
  return page('Upload a dataset', body, SCRIPT);
}
