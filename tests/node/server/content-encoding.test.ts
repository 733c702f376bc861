import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isVariantFileName, negotiateEncoding, type ContentCoding } from '../../../src/server/content-encoding.js';

const both = [{ coding: 'br' as ContentCoding }, { coding: 'gzip' as ContentCoding }];
const chosen = (header: string | undefined, variants = both) => negotiateEncoding(header, variants)?.coding;

test('server preference breaks ties, client weights decide otherwise', () => {
  assert.equal(chosen('gzip, br'), 'br');
  assert.equal(chosen('br;q=0.8, gzip;q=0.9'), 'gzip');
  assert.equal(chosen('gzip; q=0.001, br ; q = 0'), 'gzip');
  assert.equal(chosen('x-gzip'), 'gzip');
  assert.equal(chosen('*;q=0.5, br;q=0'), 'gzip');
});

test('no header, identity only, unknown codings or malformed weights give identity', () => {
  for (const header of [undefined, '', 'identity', 'deflate, zstd', 'br;q=abc, gzip;q=1.5', 'br;q=0, gzip;q=0.000']) {
    assert.equal(chosen(header), undefined, String(header));
  }
});

test('only existing variants are candidates', () => {
  assert.equal(chosen('br, gzip', [{ coding: 'gzip' }]), 'gzip');
  assert.equal(chosen('br', [{ coding: 'gzip' }]), undefined);
  assert.equal(chosen('br, gzip', []), undefined);
});

test('variant file names are recognised by suffix', () => {
  assert.equal(isVariantFileName('app.js.br'), true);
  assert.equal(isVariantFileName('app.js.gz'), true);
  assert.equal(isVariantFileName('app.js'), false);
  assert.equal(isVariantFileName('library.brx'), false);
});
