/**
 * Connectome matrix CSV (like the L4 dense connectome of Motta et al. 2019): the first column
 * names the presynaptic axon classes, the header names the postsynaptic target types, each cell
 * is a synapse count. Becomes one node per non-empty cell in the dataset's `connectome` graph:
 *   T/cells/{i}/{j} a syndb:ConnectionCount ; syndb:preSynapticClass "…" ; syndb:postSynapticClass "…" ;
 *                   syndb:synapseCount n ; dcterms:isPartOf T .
 */
import { parse } from 'csv-parse/sync';
import type { Quad } from '../../util/rdf.js';
import { df, iri, lit, typed, RDF_TYPE } from '../../util/rdf.js';
import { NS } from '../namespaces.js';
import type { Problem } from '../problems.js';

export interface ConnectomeMatrix {
  rowLabel: string;
  rows: string[];
  columns: string[];
  /** counts[i][j], undefined for an empty cell */
  counts: Array<Array<number | undefined>>;
  problems: Problem[];
}

export function parseConnectome(text: string): ConnectomeMatrix {
  const problems: Problem[] = [];
  let recs: string[][];
  try {
    recs = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true }) as string[][];
  } catch (e) {
    return { rowLabel: '', rows: [], columns: [], counts: [], problems: [{ path: 'csv', message: `the CSV cannot be read: ${(e as Error).message}`, severity: 'Violation' }] };
  }
  if (recs.length < 2) problems.push({ path: 'csv', message: 'a connectome matrix needs a header line (target types) and at least one row (an axon class)', severity: 'Violation' });
  const [head = [], ...body] = recs;
  const columns = head.slice(1).map((c) => c.trim());
  if (!columns.length) problems.push({ path: 'header', message: 'the header names no postsynaptic target types after the first column', severity: 'Violation' });
  columns.forEach((c, j) => { if (!c) problems.push({ path: `header[${j + 2}]`, message: `column ${j + 2} has no target type name`, severity: 'Violation' }); });
  const dupe = columns.find((c, j) => c && columns.indexOf(c) !== j);
  if (dupe) problems.push({ path: 'header', value: dupe, message: `target type "${dupe}" is named twice`, severity: 'Violation' });
  const rows: string[] = [];
  const counts: Array<Array<number | undefined>> = [];
  body.forEach((rec, i) => {
    const label = (rec[0] ?? '').trim();
    const line = i + 2;
    if (!label) problems.push({ path: `row ${line}`, message: `line ${line} has no axon class in the first column`, severity: 'Violation' });
    if (rows.includes(label)) problems.push({ path: `row ${line}`, value: label, message: `axon class "${label}" appears twice`, severity: 'Violation' });
    if (rec.length !== head.length) problems.push({ path: `row ${line}`, value: `${rec.length} fields`, message: `line ${line} has ${rec.length} fields, the header ${head.length}`, severity: 'Violation' });
    rows.push(label);
    counts.push(columns.map((c, j) => {
      const v = (rec[j + 1] ?? '').trim();
      if (v === '') return undefined;
      if (!/^\+?[0-9]+(\.0*)?$/.test(v)) {
        problems.push({ path: `row ${line}, column ${c}`, value: v, message: `the synapse count of "${label}" -> "${c}" must be a whole number of 0 or more`, severity: 'Violation' });
        return undefined;
      }
      return Number(v);
    }));
  });
  return { rowLabel: (head[0] ?? '').trim(), rows, columns, counts, problems };
}

export function connectomeQuads(m: ConnectomeMatrix, table: string, dataset: string): Quad[] {
  const S = (l: string) => iri(NS.syndb + l);
  const T = iri(table);
  const q: Quad[] = [
    df.quad(T, RDF_TYPE, S('ConnectivityMatrix')),
    df.quad(T, iri(`${NS.dcterms}isPartOf`), iri(dataset)),
    df.quad(T, iri(`${NS.dcterms}title`), lit(`connectome matrix (${m.rows.length} ${m.rowLabel || 'presynaptic classes'} x ${m.columns.length} target types)`)),
    df.quad(T, S('rowCount'), typed(m.rows.length, 'integer')),
  ];
  m.rows.forEach((r, i) => m.columns.forEach((c, j) => {
    const n = m.counts[i][j];
    if (n === undefined) return;
    const cell = iri(`${table}/cells/${i + 1}/${j + 1}`);
    q.push(
      df.quad(cell, RDF_TYPE, S('ConnectionCount')),
      df.quad(cell, iri(`${NS.dcterms}isPartOf`), T),
      df.quad(cell, S('preSynapticClass'), lit(r)),
      df.quad(cell, S('postSynapticClass'), lit(c)),
      df.quad(cell, S('synapseCount'), typed(n, 'integer')),
    );
  }));
  return q;
}
