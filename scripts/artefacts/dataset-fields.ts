/**
 * The Dataset JSON fields from the shapes: every property shape annotated with syndb:jsonField
 * (constraints of the node shape's other property shapes on the same path merged in), and the
 * syndb:jsonExtraField keys that no property shape describes; objects' keys come from the node
 * shapes named by syndb:jsonItems. Written out as src/model/generated/dataset-fields.ts.
 */
import type { Term } from '@rdfjs/types';
import { Graph, RDFS, SH, SYNDB, XSD } from './rdf-source.js';
import type { DatasetField, FieldKind } from '../../src/model/dataset-field.js';

const S = (l: string) => SYNDB + l;

function kindOf(g: Graph, shapes: Term[], hasFields: boolean): { kind: FieldKind; termClass?: string } {
  if (hasFields) return { kind: 'object' };
  const cls = shapes.map((s) => g.one(s, SH + 'class')).find(Boolean);
  if (cls) return { kind: 'term', termClass: cls.value };
  if (shapes.some((s) => ['IRI', 'BlankNodeOrIRI'].some((k) => g.one(s, SH + 'nodeKind')?.value === SH + k))) return { kind: 'link' };
  const datatypes = shapes.flatMap((s) => [g.one(s, SH + 'datatype'), ...g.list(g.one(s, SH + 'or')).map((o) => g.one(o, SH + 'datatype')),
    ...[g.one(s, SH + 'qualifiedValueShape')].filter(Boolean).map((q) => g.one(q!, SH + 'datatype'))]).filter(Boolean).map((t) => t!.value);
  const dt = datatypes[0];
  if (dt === XSD + 'integer' || dt === XSD + 'gYear') return { kind: 'integer' };
  if (dt === XSD + 'date') return { kind: 'date' };
  if (dt === XSD + 'dateTime') return { kind: 'dateTime' };
  return { kind: 'string' };
}

const strings = (g: Graph, s: Term, p: string) => g.list(g.one(s, p)).map((t) => t.value);

/** The common annotations of a property shape or an extra field. */
function annotations(g: Graph, s: Term) {
  const out: Partial<DatasetField> = {};
  const e = strings(g, s, S('jsonEnum'));
  if (e.length) out.enum = e;
  for (const [k, p] of [['default', 'jsonDefault'], ['pattern', 'jsonPattern'], ['shorthand', 'jsonShorthand'], ['formLabel', 'formLabel'], ['formHelp', 'formHelp']] as const) {
    const v = g.literal(s, S(p));
    if (v !== undefined) out[k] = v;
  }
  return out;
}

function fieldsOf(g: Graph, owners: Term[]): DatasetField[] {
  const fields: DatasetField[] = [];
  const byKey = new Map<string, DatasetField>();
  for (const owner of owners) {
    for (const q of g.quads) {
      if (!q.subject.equals(owner)) continue;
      if (q.predicate.value === SH + 'property') {
        const key = g.literal(q.object, S('jsonField'));
        const path = g.one(q.object, SH + 'path');
        if (!key || path?.termType !== 'NamedNode') continue;
        const same = g.objects(owner, SH + 'property').filter((ps) => g.one(ps, SH + 'path')?.equals(path));
        const known = byKey.get(key);
        if (known) { known.paths.push(path.value); continue; }
        const max = same.map((s) => Number(g.literal(s, SH + 'maxCount'))).filter((n) => !Number.isNaN(n));
        const min = Math.max(0, ...same.flatMap((s) => [g.literal(s, SH + 'minCount'), g.literal(s, SH + 'qualifiedMinCount')]).filter(Boolean).map(Number));
        const items = g.objects(q.object, S('jsonItems'));
        const sub = items.length ? fieldsOf(g, items) : [];
        const enumLiterals = same.flatMap((s) => g.list(g.one(s, SH + 'in'))).filter((t) => t.termType === 'Literal').map((t) => t.value);
        const a = annotations(g, q.object);
        const f: DatasetField = {
          key, label: g.literal(q.object, SH + 'name')!, description: g.literal(q.object, SH + 'description')!, paths: [path.value],
          required: min > 0 && a.default === undefined, list: !max.includes(1) && !g.flag(q.object, S('jsonSingle')),
          ...kindOf(g, same, sub.length > 0), ...(enumLiterals.length ? { enum: enumLiterals } : {}), ...a, ...(sub.length ? { fields: sub } : {}),
        };
        byKey.set(key, f); fields.push(f);
      } else if (q.predicate.value === S('jsonExtraField')) {
        const x = q.object;
        const sub = fieldsOf(g, [x]);
        const a = annotations(g, x);
        const f: DatasetField = {
          key: g.literal(x, S('jsonField'))!, label: g.literal(x, RDFS + 'label')!, description: g.literal(x, RDFS + 'comment')!, paths: [],
          required: g.flag(x, S('jsonRequired')) && a.default === undefined, list: false, kind: sub.length ? 'object' : 'string', ...a, ...(sub.length ? { fields: sub } : {}),
        };
        byKey.set(f.key, f); fields.push(f);
      }
    }
  }
  return fields;
}

/** The fields of the Dataset JSON: those of the shape that targets syndb:DatasetVersion and carries syndb:jsonField annotations. */
export function datasetFields(shapes: Graph): DatasetField[] {
  const roots = shapes.quads.filter((q) => q.predicate.value === SH + 'targetClass' && q.object.value === S('DatasetVersion')).map((q) => q.subject)
    .filter((s) => shapes.objects(s, SH + 'property').some((p) => shapes.literal(p, S('jsonField'))));
  return fieldsOf(shapes, roots);
}

export function datasetFieldsModule(fields: DatasetField[]): string {
  return `/**
 * GENERATED by scripts/generate-artefacts.ts from shapes/*.ttl (syndb:jsonField and related
 * annotations; see ontologies/syndb.ttl): do not edit; change the shapes and run \`npm run generate\`.
 * The fields of the Dataset JSON (docs/dataset-json.md), nested as the JSON nests them.
 */
import type { DatasetField } from '../dataset-field.js';

export const DATASET_FIELDS: readonly DatasetField[] = ${JSON.stringify(fields, null, 2)};
`;
}
