declare module 'rdf-canonize' {
  const canonize: { canonize(dataset: unknown, options: Record<string, unknown>): Promise<string> };
  export default canonize;
}
declare module 'grapoi/PathList.js' {
  const PathList: { prototype: object };
  export default PathList;
}
