/**
 * The dependency rule (README "How it is built"), checked by test/dependency-rule.test.ts:
 * imports run downward only, cli → http → service → publish/search/provenance → shacl/model →
 * store/util/sparql (service/ composes the three under it, which never reach back into it), and
 * no module outside store/ knows which backend it talks to; no modules import each other in a circle.
 * Type-only imports count too.
 */
const layers = [
  ['cli'],
  ['http'],
  ['service'],
  ['publish', 'search', 'provenance'],
  ['shacl', 'model'],
  ['store', 'util', 'sparql'],
];
const under = (names) => `^src/(${names.join('|')})/`;

const upward = layers.slice(1).map((layer, i) => ({
  name: `upward-from-${layer.join('-')}`,
  comment: `${layer.join('/')} sits below ${layers.slice(0, i + 1).flat().join('/')}: it must not import them`,
  severity: 'error',
  from: { path: under(layer) },
  to: { path: under(layers.slice(0, i + 1).flat()) },
}));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'no-circular',
      comment: 'modules that import each other cannot be read, tested or moved one at a time',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'backend-outside-store',
      comment: 'only store/ knows the backends: everything else talks to store/graph-store.ts',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/store/' },
      to: { path: '^src/store/(embedded|remote)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
