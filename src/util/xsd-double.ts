/** The canonical lexical form of xsd:double used by every store. */

/** A double as oxigraph prints it: the shortest digits that round-trip, never in exponent notation. */
export function canonicalDouble(lex: string): string {
  const x = Number(lex.trim());
  if (Number.isNaN(x)) return /^[+-]?INF$/i.test(lex.trim()) ? (lex.trim().startsWith('-') ? '-INF' : 'INF') : 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'INF' : '-INF';
  if (Object.is(x, -0)) return '-0';
  const [mant, e] = Math.abs(x).toExponential().split('e');
  const digits = mant.replace('.', '');
  const exp = Number(e);
  let s: string;
  if (exp >= digits.length - 1) s = digits + '0'.repeat(exp - (digits.length - 1));
  else if (exp >= 0) s = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  else s = `0.${'0'.repeat(-exp - 1)}${digits}`;
  return (x < 0 ? '-' : '') + s;
}
