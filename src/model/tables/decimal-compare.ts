/**
 * Exact comparison of an xsd:integer / xsd:decimal lexical form with a numeric bound of a shape
 * (sh:minInclusive …), digit by digit: a 64-bit id such as 18446744073709551615 or a decimal with
 * 30 digits is compared as written, never rounded to a double. src/model/tables/sql-checks.ts
 * does the same in SQL (decimalCompareSql), so the two validators agree.
 */

/** The decimal digits of a finite number, without exponent ("1e-7" -> "0.0000001"). */
export function decimalText(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`${n} is not a finite bound`);
  const s = String(n);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const digits = m[2] + (m[3] ?? '');
  const e = Number(m[4]);
  if (e >= 0) return m[1] + (e >= digits.length - 1 ? digits + '0'.repeat(e - digits.length + 1) : `${digits.slice(0, e + 1)}.${digits.slice(e + 1)}`);
  return `${m[1]}0.${'0'.repeat(-e - 1)}${digits}`;
}

/** Sign, integer digits without leading zeros, fraction digits without trailing zeros. */
export function decimalParts(lex: string): { sign: -1 | 0 | 1; int: string; frac: string } {
  const neg = lex.startsWith('-');
  const body = lex.replace(/^[+-]/, '');
  const dot = body.indexOf('.');
  const int = (dot < 0 ? body : body.slice(0, dot)).replace(/^0+/, '');
  const frac = (dot < 0 ? '' : body.slice(dot + 1)).replace(/0+$/, '');
  return { sign: int === '' && frac === '' ? 0 : neg ? -1 : 1, int, frac };
}

/** -1, 0 or 1 as the decimal `lex` (a valid xsd:decimal or xsd:integer form) is below, equal to or above `bound`. */
export function compareDecimalText(lex: string, bound: number): -1 | 0 | 1 {
  const a = decimalParts(lex);
  const b = decimalParts(decimalText(bound));
  if (a.sign !== b.sign) return a.sign < b.sign ? -1 : 1;
  if (a.sign === 0) return 0;
  let m: -1 | 0 | 1 = 0;
  if (a.int.length !== b.int.length) m = a.int.length < b.int.length ? -1 : 1;
  else if (a.int !== b.int) m = a.int < b.int ? -1 : 1;
  else if (a.frac !== b.frac) m = a.frac < b.frac ? -1 : 1;
  return (a.sign === 1 ? m : -m) as -1 | 0 | 1;
}
