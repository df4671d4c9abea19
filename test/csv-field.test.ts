import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { csvField } from '../src/util/csv-field.js';

describe('csvField', () => {
  it('writes fields that csv-parse reads back unchanged, quoting only what needs it', () => {
    const fields = ['', 'plain', 'a,b', 'say "hi"', '"', 'line\nbreak', 'cr\rlf\r\n', ' spaced ', 'ü→🧠', '864691135808473885', '-1.5e-7', "it's"];
    const rows = [fields, [...fields].reverse(), ['only']];
    const text = rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
    expect(parse(text, { relax_column_count: true })).toEqual(rows);
    expect(fields.map(csvField).filter((f, i) => f !== fields[i])).toEqual(['"a,b"', '"say ""hi"""', '""""', '"line\nbreak"', '"cr\rlf\r\n"']);
  });
});
