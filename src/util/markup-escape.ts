/**
 * One escaper for XML and HTML text and attribute values: `& < > " '` become entities, and
 * characters XML 1.0 cannot carry (controls other than tab/newline/CR, lone surrogates, U+FFFE/F)
 * are dropped, so the output is well-formed in either language.
 */
const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
// eslint-disable-next-line no-control-regex
const NOT_XML = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function escapeMarkup(s: string): string {
  return s.replace(NOT_XML, '').replace(/[&<>"']/g, (c) => ENTITY[c]!);
}

/** JSON text that is safe inside an HTML <script> element (no </script>, <!--, or line separators). */
export function scriptSafeJson(value: unknown, indent = 2): string {
  return JSON.stringify(value, null, indent)
    .replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
