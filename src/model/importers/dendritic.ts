/**
 * The Dendritic Consortium metadata tables (domain-tables.md §2): twelve CSV tables whose
 * records have ids `[Lab]_[Prefix]_[NNNN]`. Each record becomes `{T}/records/{id}` with
 * dcterms:identifier, dcterms:type (its table) and one property per column
 * (`https://w3id.org/syndb/vocab/dendritic-consortium#{column}`); foreign keys become links to
 * the referenced records, YYYYMMDD dates xsd:date, ';'-separated strains and genotypes one
 * value each (the original text kept as well), numbers typed.
 */
import { parse } from 'csv-parse/sync';
import type { Quad } from '../../util/rdf.js';
import { df, iri, lit, typed, RDF_TYPE } from '../../util/rdf.js';
import { NS } from '../namespaces.js';
import type { Problem } from '../problems.js';

export const DC = 'https://w3id.org/syndb/vocab/dendritic-consortium#';
const LABS = ['ML', 'RY', 'JB', 'EN', 'JL', 'IS'];

/** table -> [primary key column, id prefix(es)] */
export const DC_TABLES: Record<string, { key: string; prefix: string[] }> = {
  analysis: { key: 'analysis_id', prefix: ['A'] }, behavior: { key: 'behavior_id', prefix: ['B'] },
  cell_detection_dataset: { key: 'cell_dataset_id', prefix: ['CD'] }, ephys: { key: 'ephys_id', prefix: ['E'] },
  image: { key: 'image_id', prefix: ['IMG'] }, micro_ct_dataset: { key: 'micro_ct_id', prefix: ['MD'] },
  model: { key: 'model_id', prefix: ['MOD'] }, mouse: { key: 'mouse_id', prefix: ['M'] }, plasmid: { key: 'plasmid_id', prefix: ['P'] },
  sem_dataset: { key: 'sem_dataset_id', prefix: ['SD'] }, session: { key: 'session_id', prefix: ['S'] }, virus: { key: 'virus_id', prefix: ['V'] },
};
/** foreign key column -> referenced table (source_id: the table named by source_type) */
const FK: Record<string, string> = { session_id: 'session', mouse_id: 'mouse', plasmid_id: 'plasmid', virus_id: 'virus' };
const MULTI = new Set(['strain', 'genotype', 'processing_methods']);

export function importDendritic(tables: Map<string, string>, graph: string, dataset: string): { quads: Quad[]; problems: Problem[]; records: number } {
  const problems: Problem[] = [];
  const quads: Quad[] = [];
  const parsed = new Map<string, Array<Record<string, string>>>();
  for (const [name, text] of tables) {
    if (!DC_TABLES[name]) { problems.push({ path: name, message: `"${name}" is not a Dendritic Consortium table; expected one of: ${Object.keys(DC_TABLES).join(', ')}`, severity: 'Violation' }); continue; }
    try { parsed.set(name, parse(text, { bom: true, columns: true, skip_empty_lines: true }) as Array<Record<string, string>>); } catch (e) {
      problems.push({ path: name, message: `the CSV cannot be read: ${(e as Error).message}`, severity: 'Violation' });
    }
  }
  const ids = new Map<string, string>(); // id -> table
  for (const [name, rows] of parsed) {
    const { key, prefix } = DC_TABLES[name];
    rows.forEach((r, i) => {
      const id = (r[key] ?? '').trim();
      const re = new RegExp(`^(${LABS.join('|')})_(${prefix.join('|')})_[0-9]{4}$`);
      if (!re.test(id)) problems.push({ path: `${name} line ${i + 2}, ${key}`, value: id, message: `${key} must look like [Lab]_${prefix[0]}_NNNN with a lab of ${LABS.join(', ')}`, severity: 'Violation' });
      else if (ids.has(id)) problems.push({ path: `${name} line ${i + 2}, ${key}`, value: id, message: `id ${id} is used twice`, severity: 'Violation' });
      else ids.set(id, name);
    });
  }
  const rec = (id: string) => iri(`${graph}/records/${encodeURIComponent(id)}`);
  const P = (c: string) => iri(DC + c);
  let records = 0;
  for (const [name, rows] of parsed) {
    const { key } = DC_TABLES[name];
    rows.forEach((r, i) => {
      const id = (r[key] ?? '').trim();
      if (ids.get(id) !== name) return;
      records++;
      const s = rec(id);
      quads.push(df.quad(s, RDF_TYPE, iri(`${DC}Record`)), df.quad(s, iri(`${NS.dcterms}identifier`), lit(id)),
        df.quad(s, iri(`${NS.dcterms}type`), lit(name)), df.quad(s, iri(`${NS.dcterms}isPartOf`), iri(dataset)));
      for (const [col, raw] of Object.entries(r)) {
        const v = (raw ?? '').trim();
        if (col === key || v === '') continue;
        const where = `${name} line ${i + 2}, ${col}`;
        const target = FK[col] ?? (col === 'source_id' ? (r.source_type ?? '').trim() : undefined);
        if (target !== undefined) {
          if (ids.get(v) !== target) problems.push({ path: where, value: v, message: `${col} must be the id of a ${target || 'record'} record${ids.has(v) ? ` (${v} is a ${ids.get(v)} record)` : ' (no record has this id)'}`, severity: 'Violation' });
          else quads.push(df.quad(s, P(col), rec(v)));
          continue;
        }
        if (/_date$/.test(col)) {
          const m = /^([0-9]{4})([0-9]{2})([0-9]{2})$/.exec(v);
          const d = m && new Date(`${m[1]}-${m[2]}-${m[3]}T00:00:00Z`);
          if (!m || Number.isNaN(d!.getTime()) || d!.toISOString().slice(0, 10) !== `${m[1]}-${m[2]}-${m[3]}`) problems.push({ path: where, value: v, message: `${col} must be a date YYYYMMDD`, severity: 'Violation' });
          else quads.push(df.quad(s, P(col), typed(`${m[1]}-${m[2]}-${m[3]}`, 'date')));
          continue;
        }
        if (MULTI.has(col) && v.includes(';')) {
          for (const part of v.split(';').map((x) => x.trim()).filter(Boolean)) quads.push(df.quad(s, P(col), lit(part)));
          quads.push(df.quad(s, P(`${col}_text`), lit(v)));
          continue;
        }
        if (/^(true|false)$/.test(v)) quads.push(df.quad(s, P(col), typed(v, 'boolean')));
        else if (/^-?[0-9]+$/.test(v) && col !== 'litter_id') quads.push(df.quad(s, P(col), typed(v, 'integer')));
        else if (/^-?[0-9]*\.[0-9]+([eE][-+]?[0-9]+)?$|^-?[0-9]+[eE][-+]?[0-9]+$/.test(v)) quads.push(df.quad(s, P(col), typed(v, 'double')));
        else quads.push(df.quad(s, P(col), lit(v)));
      }
    });
  }
  return { quads, problems, records };
}
