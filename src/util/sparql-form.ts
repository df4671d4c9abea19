/** The form of a SPARQL query (SELECT/ASK/CONSTRUCT/DESCRIBE), skipping the prologue, comments, strings and IRIs. */
export function queryForm(q: string): 'SELECT' | 'ASK' | 'CONSTRUCT' | 'DESCRIBE' | undefined {
  const stripped = q.replace(/"""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, '""').replace(/<[^<>"{}|^`\\\s]*>/g, '<>').replace(/#[^\n]*/g, ' ');
  const m = /\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b/i.exec(stripped);
  return m ? (m[1].toUpperCase() as 'SELECT' | 'ASK' | 'CONSTRUCT' | 'DESCRIBE') : undefined;
}
