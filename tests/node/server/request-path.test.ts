import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRequestPath } from '../../../src/server/request-path.js';

const segmentsOf = (target: string): readonly string[] | undefined => {
  const parsed = parseRequestPath(target);
  return parsed.kind === 'file' ? parsed.segments : undefined;
};
const statusOf = (target: string): number | undefined => {
  const parsed = parseRequestPath(target);
  return parsed.kind === 'refused' ? parsed.status : undefined;
};

test('the root names index.html; other paths split into decoded segments; query and fragment dropped', () => {
  assert.deepEqual(segmentsOf('/'), ['index.html']);
  assert.deepEqual(segmentsOf('/?a=b'), ['index.html']);
  assert.deepEqual(segmentsOf('/assets/index-AB12cd34.js?v=1#x'), ['assets', 'index-AB12cd34.js']);
  assert.deepEqual(segmentsOf('/models/caf%C3%A9/a%20b.bin'), ['models', 'café', 'a b.bin']);
});

test('decoding happens once: what is still encoded afterwards is refused, not decoded again', () => {
  assert.equal(statusOf('/%252e%252e/x'), 400);
  assert.equal(statusOf('/a%2525b'), 400);
  assert.equal(statusOf('/100%25.txt'), 400);
});

test('dot segments, separators, colons and control characters are 400', () => {
  for (const target of [
    '/..',
    '/a/../b',
    '/%2e%2e',
    '/.',
    '/a/%2E/b',
    '/a%2fb',
    '/a%2Fb',
    '/a%5cb',
    '/a\\b',
    '/C:/x',
    '/x%3a',
    '/a%00',
    '/a%0a',
    '/a%7f',
  ]) {
    assert.equal(statusOf(target), 400, target);
  }
});

test('empty segments are 400, a trailing slash is a directory (404), dotfiles are 404', () => {
  assert.equal(statusOf('//a'), 400);
  assert.equal(statusOf('/a//b'), 400);
  assert.equal(statusOf('/icons/'), 404);
  assert.equal(statusOf('/.env'), 404);
  assert.equal(statusOf('/a/.git/config'), 404);
  assert.equal(statusOf('/%2egit/config'), 404);
});

test('malformed percent-encoding and targets in neither origin- nor absolute-form are 400', () => {
  for (const target of ['/%', '/%g0', '/%e0%80', '/%c0%af', '*', '', 'x/y', 'host:80', '//host/x']) {
    assert.equal(statusOf(target), 400, target);
  }
});

test('absolute-form (RFC 9112 §3.2.2): an http(s) URL serves its path; the authority is checked, then ignored', () => {
  assert.deepEqual(segmentsOf('http://host/assets/index-AB12cd34.js'), ['assets', 'index-AB12cd34.js']);
  assert.deepEqual(segmentsOf('HTTPS://Host.example:8443/n%6Ftes.txt?x=1#y'), ['notes.txt']);
  assert.deepEqual(segmentsOf('http://[::1]:8080/a'), ['a']);
  assert.deepEqual(segmentsOf('http://host'), ['index.html']);
  assert.deepEqual(segmentsOf('http://host?q'), ['index.html']);
  assert.deepEqual(segmentsOf('http://host/'), ['index.html']);
});

test('absolute-form paths get every origin-form rule; empty hosts, userinfo and other schemes are 400', () => {
  for (const target of [
    'http://host/..',
    'http://host/a/../b',
    'http://host/%2e%2e/x',
    'http://host/a%2fb',
    'http://host//etc/passwd',
    'http://host/C:/x',
    'http://host/a\\b',
    'http://host/%00',
  ]) {
    assert.equal(statusOf(target), 400, target);
  }
  for (const target of ['http://host/.env', 'http://host/icons/']) assert.equal(statusOf(target), 404, target);
  for (const target of [
    'http:///etc/passwd',
    'http://',
    'http://user@host/x',
    'http://user:pw@host/x',
    'http:/x',
    'http:x',
    'ftp://host/x',
    'file:///etc/passwd',
    'http://ho st/x',
    'http://host\\..\\x',
    'http://host%2f..%2f/x',
  ]) {
    assert.equal(statusOf(target), 400, target);
  }
});
