import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csvCell, toCsv } from '../../../src/shared/csv.js';

describe('csvCell', () => {
  it('writes plain values as they are and null/undefined as empty', () => {
    assert.equal(csvCell('abc'), 'abc');
    assert.equal(csvCell(12), '12');
    assert.equal(csvCell(0.5), '0.5');
    assert.equal(csvCell(true), 'true');
    assert.equal(csvCell(null), '');
    assert.equal(csvCell(undefined), '');
    assert.equal(csvCell(''), '');
  });

  it('quotes a cell holding a comma, a quote, CR or LF, doubling its quotes (RFC 4180)', () => {
    assert.equal(csvCell('a,b'), '"a,b"');
    assert.equal(csvCell('say "hi"'), '"say ""hi"""');
    assert.equal(csvCell('two\nlines'), '"two\nlines"');
    assert.equal(csvCell('cr\rhere'), '"cr\rhere"');
    assert.equal(csvCell('"'), '""""');
  });

  it('guards text a spreadsheet would run as a formula only when asked, and only strings', () => {
    for (const text of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx']) {
      assert.equal(csvCell(text), text, 'unguarded by default');
      assert.equal(csvCell(text, { guardFormulas: true }), `'${text}`);
    }
    assert.equal(csvCell('\rx', { guardFormulas: true }), `"'\rx"`, 'guarded, then quoted for the CR');
    assert.equal(csvCell('=HYPERLINK("x","y")', { guardFormulas: true }), `"'=HYPERLINK(""x"",""y"")"`);
    assert.equal(csvCell(-1, { guardFormulas: true }), '-1', 'a number is a number');
    assert.equal(csvCell('a=b', { guardFormulas: true }), 'a=b');
  });
});

describe('toCsv', () => {
  it('ends every row with CRLF, the last too', () => {
    assert.equal(
      toCsv([
        ['a', 'b'],
        [1, null],
        ['x,y', true],
      ]),
      'a,b\r\n1,\r\n"x,y",true\r\n',
    );
    assert.equal(toCsv([]), '');
  });
});
