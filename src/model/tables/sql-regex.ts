/**
 * JavaScript regular expressions (the `u`-mode RegExps the table compiler makes of sh:pattern)
 * rewritten for RE2, DuckDB's regex engine, so that `regexp_matches(text, re2)` answers what
 * `re.test(text)` answers. Both search (a match anywhere, unless anchored).
 *
 * What differs and is rewritten:
 *  - `\s` / `\S`: JavaScript's whitespace is Unicode (NBSP, U+2000–U+200A, U+3000, BOM, …); RE2's
 *    is ASCII. Both become explicit classes of JavaScript's set.
 *  - `.`: JavaScript excludes \n, \r, U+2028, U+2029 (without the `s` flag); RE2 only \n.
 *  - `\uXXXX`, `\u{…}`, `\xHH`, `\cX`, `\0`: become `\x{…}`.
 *  - named groups become plain groups (back-references are refused anyway).
 * What cannot be translated (the function returns undefined; the caller must not check the
 * pattern in SQL): look-around, back-references, `\p{…}`, `\S`/`\W`/`\D` inside a class together
 * with other members, the `m` flag (JavaScript's line terminators are not RE2's), `i` with `\w`/`\b`
 * (JavaScript's Unicode case folding adds U+017F and U+212A to \w), repeats above RE2's 1000.
 */

/** JavaScript's \s (WhiteSpace and LineTerminator), as class members for RE2. */
export const JS_WHITESPACE_CLASS = '\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}';
/** The same characters as a plain string (for SQL trim(), which takes characters, not a class). */
export const JS_WHITESPACE_CHARS = '\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff';

const hex = (cp: number) => `\\x{${cp.toString(16).toUpperCase()}}`;
const SYNTAX = new Set([...'^$\\.*+?()[]{}|-/']);

class Untranslatable extends Error {}

/** RE2 source equivalent to `re` (a u-mode RegExp), or undefined when it cannot be translated. */
export function jsRegexToRe2(re: RegExp): string | undefined {
  try {
    return translate(re.source, re.flags);
  } catch (e) {
    if (e instanceof Untranslatable) return undefined;
    throw e;
  }
}

function translate(src: string, flags: string): string {
  for (const f of flags) if (!'uisdgy'.includes(f)) throw new Untranslatable(`flag ${f}`);
  const ignoreCase = flags.includes('i');
  const dotAll = flags.includes('s');
  let i = 0;
  let out = '';
  const fail = (why: string): never => { throw new Untranslatable(why); };
  /** One escape after the backslash at src[i-1]; returns [kind, text]: 'cp' = one code point, 'class' = a class shorthand. */
  const escape = (inClass: boolean): ['cp', number] | ['class', string] => {
    const c = src[i++];
    if (c === undefined) fail('trailing backslash');
    switch (c) {
      case 'd': case 'D': return ['class', `\\${c}`];
      case 'w': case 'W': if (ignoreCase) fail('\\w with i'); return ['class', `\\${c}`];
      case 's': return ['class', inClass ? JS_WHITESPACE_CLASS : `[${JS_WHITESPACE_CLASS}]`];
      case 'S': if (inClass) fail('\\S in a class'); return ['class', `[^${JS_WHITESPACE_CLASS}]`];
      case 'b': case 'B': if (inClass) { if (c === 'b') return ['cp', 8]; fail('\\B in a class'); } if (ignoreCase) fail('\\b with i'); return ['class', `\\${c}`];
      case 't': return ['cp', 9];
      case 'n': return ['cp', 10];
      case 'v': return ['cp', 11];
      case 'f': return ['cp', 12];
      case 'r': return ['cp', 13];
      case '0': if (/[0-9]/.test(src[i] ?? '')) fail('octal'); return ['cp', 0];
      case 'c': { const l = src[i++]; if (!l || !/[A-Za-z]/.test(l)) fail('\\c'); return ['cp', l.charCodeAt(0) % 32]; }
      case 'x': { const h = src.slice(i, i + 2); if (!/^[0-9A-Fa-f]{2}$/.test(h)) fail('\\x'); i += 2; return ['cp', parseInt(h, 16)]; }
      case 'u': {
        if (src[i] === '{') {
          const end = src.indexOf('}', i);
          const h = src.slice(i + 1, end);
          if (end < 0 || !/^[0-9A-Fa-f]+$/.test(h)) fail('\\u{}');
          i = end + 1;
          return ['cp', parseInt(h, 16)];
        }
        const h = src.slice(i, i + 4);
        if (!/^[0-9A-Fa-f]{4}$/.test(h)) fail('\\u');
        i += 4;
        let cp = parseInt(h, 16);
        // a surrogate pair written as two escapes is one code point in u-mode
        if (cp >= 0xd800 && cp <= 0xdbff && src.startsWith('\\u', i) && /^[0-9A-Fa-f]{4}$/.test(src.slice(i + 2, i + 6))) {
          const lo = parseInt(src.slice(i + 2, i + 6), 16);
          if (lo >= 0xdc00 && lo <= 0xdfff) { cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00); i += 6; }
        }
        if (cp >= 0xd800 && cp <= 0xdfff) fail('lone surrogate');
        return ['cp', cp];
      }
      default:
        if (/[1-9]/.test(c) || c === 'k') fail('back-reference');
        if (c === 'p' || c === 'P') fail('\\p');
        if (SYNTAX.has(c)) return ['cp', c.charCodeAt(0)];
        return fail(`unknown escape \\${c}`);
    }
  };
  /** A code point as RE2 text (escaped where RE2 gives it a meaning). */
  const lit = (cp: number, inClass: boolean) => {
    if (cp < 0x20 || cp > 0x7e) return hex(cp);
    const ch = String.fromCharCode(cp);
    if (/[A-Za-z0-9 _]/.test(ch)) return ch;
    if (!inClass && !'^$\\.*+?()[]{}|'.includes(ch)) return ch;
    return `\\${ch}`;
  };
  const readCp = () => { const cp = src.codePointAt(i)!; i += cp > 0xffff ? 2 : 1; return cp; };
  let depth = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '\\') {
      i++;
      const [k, v] = escape(false);
      out += k === 'cp' ? lit(v, false) : v;
    } else if (c === '.') {
      i++;
      out += dotAll ? '[\\x{0}-\\x{10FFFF}]' : '[^\\n\\r\\x{2028}\\x{2029}]';
    } else if (c === '(') {
      i++;
      depth++;
      if (src[i] === '?') {
        if (src[i + 1] === ':') { out += '(?:'; i += 2; }
        else if (src[i + 1] === '<' && src[i + 2] !== '=' && src[i + 2] !== '!') {
          const end = src.indexOf('>', i);
          if (end < 0) fail('group name');
          out += '(';
          i = end + 1;
        } else fail('look-around or group modifier');
      } else out += '(';
    } else if (c === ')') {
      i++; depth--; out += ')';
    } else if (c === '[') {
      i++;
      let neg = false;
      if (src[i] === '^') { neg = true; i++; }
      let body = '';
      let members = 0;
      let negShorthand = false;
      while (i < src.length && src[i] !== ']') {
        if (src[i] === '\\') {
          i++;
          const [k, v] = escape(true);
          if (k === 'cp') body += lit(v, true);
          else { if (v === '\\D' || v === '\\W') negShorthand = true; body += v; }
        } else if (src[i] === '-' ) { body += '-'; i++; }
        else body += lit(readCp(), true);
        members++;
      }
      if (src[i] !== ']') fail('unterminated class');
      i++;
      if (negShorthand && members > 1) fail('negated shorthand in a class with other members');
      if (members === 0) out += neg ? '[\\x{0}-\\x{10FFFF}]' : '[^\\x{0}-\\x{10FFFF}]';
      else out += `[${neg ? '^' : ''}${body}]`;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i));
      if (!m) fail('brace');
      if (Number(m![1]) > 1000 || (m![3] && Number(m![3]) > 1000)) fail('repeat above 1000');
      out += m![0];
      i += m![0].length;
    } else if ('^$|*+?'.includes(c)) {
      out += c; i++;
    } else {
      out += lit(readCp(), false);
    }
  }
  if (depth !== 0) fail('unbalanced groups');
  return ignoreCase ? `(?i)${out}` : out;
}
