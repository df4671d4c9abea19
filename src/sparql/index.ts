/**
 * SPARQL, parsed once: limits checked before parsing (limits.ts), the parser (parse.ts), what a
 * request does (analyse.ts) and meaning-preserving rewrites (rewrite.ts). Sits at the bottom of the
 * import graph beside util/: it knows no store, no service, no HTTP.
 */
export * from './limits.js';
export * from './parse.js';
export * from './analyse.js';
export * from './rewrite.js';
export * from './parse-off-thread.js';
