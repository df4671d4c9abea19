/**
 * The upload form for contributors: a plain HTML form (works without JavaScript) that the
 * server turns into Dataset JSON; every problem is shown next to its field.
 */
import { esc, page } from '../html.js';
import { COMPARTMENTS } from '../../model/compartment-names.js';
import { expandCurie } from '../../model/namespaces.js';
import { FIELD_OF_PROPERTY } from '../../model/dataset-json.js';
import { DATASET_FIELDS } from '../../model/generated/dataset-fields.js';
import type { Problem } from '../../model/problems.js';
import { SCRIPT } from './search.js';

export type UploadForm = Record<string, string | string[] | undefined>;

const lines = (s: unknown) => String(s ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
const commas = (s: unknown) => String(s ?? '').split(/[,\n]/).map((l) => l.trim()).filter(Boolean);
const str = (s: unknown) => (typeof s === 'string' ? s.trim() : Array.isArray(s) ? String(s[0] ?? '').trim() : '');

/** The Dataset JSON (docs/dataset-json.md) for the form fields; empty fields are left out so the service names what is missing. */
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

type Input = 'textarea' | 'select' | 'compartments' | 'password' | 'checkbox';
interface FormField { name: string; label: string; help: string; type?: Input; required?: boolean; options?: string[] }

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
/** A Dataset JSON field as a form field: label, help and `required` from the shapes (sh:name, syndb:formLabel / syndb:formHelp, sh:minCount). */
function jsonField(key: string, type?: Input): FormField {
  const f = DATASET_FIELDS.find((x) => x.key === key);
  if (!f) throw new Error(`the upload form names "${key}", which is not a Dataset JSON field`);
  const optional = !f.required && f.default === undefined;
  return {
    name: key, label: `${f.formLabel ?? capitalised(f.label)}${optional ? ' (optional)' : ''}`, help: f.formHelp ?? f.description,
    ...(type ? { type } : {}), ...(f.required ? { required: true } : {}), ...(f.enum && type === 'select' ? { options: f.enum.filter((v) => v !== 'embargoed') } : {}), // an embargo needs a date the form does not ask for
  };
}

/** The form, in order: the Dataset JSON fields it offers (layout only; their texts come from the shapes), and the form's own controls. */
const FIELDS: FormField[] = [
  { name: 'token', label: 'Your API token', help: 'Contributors get one with: syndb token create --name YOU --role contributor. Kept in this browser tab only.', type: 'password', required: true },
  jsonField('title'), jsonField('id'), jsonField('description', 'textarea'), jsonField('creators', 'textarea'),
  jsonField('species'), jsonField('brainRegion'), jsonField('microscopyMethod'), jsonField('compartments', 'compartments'), jsonField('license'),
  jsonField('geneticManipulations', 'textarea'), jsonField('publications', 'textarea'), jsonField('keywords'), jsonField('tags'),
  jsonField('access', 'select'),
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
