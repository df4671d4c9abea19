/** Readable problem lists for the terminal. */
import type { Problem } from '../model/problems.js';
import { compactIri } from '../model/namespaces.js';

export function formatProblems(problems: Problem[], source?: string): string {
  const lines = problems.map((p) => {
    const where = p.focusNode ? ` (${compactIri(p.focusNode)})` : '';
    const value = p.value !== undefined ? ` = ${JSON.stringify(p.value)}` : '';
    const sugg = p.suggestions?.length ? `\n      did you mean: ${p.suggestions.map((s) => `${s.label} [${s.curie ?? s.iri}]`).join(', ')}` : '';
    return `  ${p.severity === 'Violation' ? '✗' : '!'} ${p.path || '(node)'}${value}: ${p.message}${where}${sugg}`;
  });
  const n = problems.filter((p) => p.severity === 'Violation').length;
  return `${source ? `${source}: ` : ''}${n} violation${n === 1 ? '' : 's'}${problems.length > n ? `, ${problems.length - n} warning(s)` : ''}\n${lines.join('\n')}`;
}
