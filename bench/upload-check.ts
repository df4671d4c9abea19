/**
 * Time of each step of checking a dataset upload (parse, normalise, skolemise, typing, SHACL) for
 * hostile shapes of input, with the input limits switched off, to see how each step grows:
 *   npm run build && node dist/bench/upload-check.js [keywords|nested] [n ...]
 * Measured on the 2-core dev machine (busy): keywords 10,000 → SHACL 4.2 s before the grapoi fix
 * (O(n²): 30,000 did not end in 200 s), ~1 s after (30,000: 4.6 s, linear); nested blank nodes:
 * canonicalisation 16 levels 78 ms, 32: 0.5 s, 64: 0.8 s, 1,000: did not end in 120 s.
 */
import { performance } from 'node:perf_hooks';
import { Iris } from '../src/model/iris.js';
import { loadVocabulary } from '../src/model/vocabulary.js';
import { loadOntology } from '../src/model/ontology.js';
import { loadShapes } from '../src/shacl/shapes.js';
import { validate } from '../src/shacl/validator.js';
import { parseDatasetInput } from '../src/model/parse-input.js';
import { normalizeDataset } from '../src/service/datasets.js';
import { skolemize } from '../src/model/skolemize.js';

const kind = process.argv[2] === 'nested' ? 'nested' : 'keywords';
const sizes = process.argv.slice(3).map(Number).filter((n) => n > 0);
const ns = sizes.length ? sizes : kind === 'nested' ? [8, 16, 32] : [1_000, 10_000, 30_000];
const unlimited = { maxTriples: Infinity, maxDepth: Infinity, maxItems: Infinity, maxString: Infinity };

const iris = new Iris('http://localhost:3030');
const [vocabulary, shapes] = await Promise.all([loadVocabulary(), loadShapes()]);
const ontology = loadOntology();
const base = { id: 'bench', title: 'Bench', description: 'd', creators: [{ name: 'Doe, Jane' }], license: 'CC-BY-4.0', species: 'mouse', brainRegion: 'V1', microscopyMethod: 'SBEM', compartments: ['synapse'] };

for (const n of ns) {
  const body = kind === 'keywords'
    ? JSON.stringify({ ...base, keywords: Array.from({ length: n }, (_, i) => `kw${i}`) })
    : `@prefix ex: <http://example.org/> . @prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .\n<> a dcat:Dataset ; dct:title "x" ; ex:p ${'[ ex:p '.repeat(n)}"x"${' ]'.repeat(n)} .`;
  const times: string[] = [];
  let t = performance.now();
  const lap = (label: string) => { const x = performance.now(); times.push(`${label} ${Math.round(x - t)} ms`); t = x; };
  const parsed = await parseDatasetInput(body, kind === 'keywords' ? 'json' : 'turtle', { iris, vocabulary, limits: unlimited });
  lap('parse');
  const norm = normalizeDataset(iris, parsed.quads, parsed.subject, parsed.id); lap('normalise');
  const quads = await skolemize(norm, parsed.subject); lap('skolemise');
  const extra = ontology.typingFor(quads); lap('typing');
  await validate(shapes, quads, { extraQuads: extra }); lap('SHACL');
  console.log(`${kind} ${n} (${body.length} bytes, ${quads.length} triples): ${times.join(', ')}`);
}
