import * as assert from 'node:assert/strict';
import { redactSecrets, Redactor, REDACTED } from '../../../src/core/trace/redact';

describe('redactSecrets', () => {
  it('masks the known secrets wherever they appear', () => {
    const key = 'my-local-gateway-key-42';
    const out = redactSecrets(`key=${key}; again ${key}.`, [key]);
    assert.ok(!out.includes(key));
    assert.equal(out.split(REDACTED).length - 1, 2);
  });

  it('masks Authorization headers, bearer tokens and sk- keys it was not told about', () => {
    const samples = [
      'Authorization: Bearer abc.def.ghi-1234567',
      '{"authorization":"Bearer zzzzzzzzzzzzzzzzzzzz"}',
      'curl -H "Authorization: Basic dXNlcjpwYXNz"',
      'token Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig',
      'OPENAI_API_KEY=sk-proj-AbCdEf0123456789xyzXYZ',
      'openrouter sk-or-v1-0123456789abcdef0123456789abcdef',
      'https://x.example/v1?api-key=0123456789abcdefABCDEF',
      '"x-api-key": "k3y0123456789abcdefgh"',
    ];
    for (const s of samples) {
      const out = redactSecrets(s);
      assert.ok(out.includes(REDACTED), `not redacted: ${s} -> ${out}`);
      assert.doesNotMatch(out, /abc\.def|zzzz|dXNlcjpw|eyJhbGci|AbCdEf01|0123456789abcdef0123|0123456789abcdefABCDEF|k3y0123/, out);
    }
  });

  it('handles long blank runs after a header name in linear time (a quadratic pattern would time this test out)', () => {
    const r = new Redactor([]);
    const blank = 'Authorization:' + ' '.repeat(400_000);
    assert.equal(r.text(blank), blank);
    assert.equal(r.text('Authorization: Bearer abcdefgh12345678'), `Authorization: ${REDACTED}`);
    assert.equal(r.text('"Authorization":"Basic dXNlcjpwYXNz"'), `"Authorization":"${REDACTED}"`);
  });

  it('leaves ordinary code and prose alone', () => {
    const text = 'const apiKey = config.apiKey; // Authorization is required\nsk-short and task-list';
    assert.equal(redactSecrets(text), text);
  });

  it('keeps JSON valid when redacting JSON text', () => {
    const value = { h: 'Authorization: Bearer abcdefgh12345678\\"', k: 'sk-abcdefghijklmnopqrstuvwxyz', q: 'api_key=ab12cd34ef56gh78ij90\\' };
    const out = redactSecrets(JSON.stringify(value), []);
    const back = JSON.parse(out) as Record<string, string>;
    assert.ok(!out.includes('abcdefgh12345678'));
    assert.ok(!out.includes('ab12cd34'));
    assert.equal(typeof back.h, 'string');
  });

  it('redacts every string in a value, keys included, without mutating it', () => {
    const secret = 'sk-test-0123456789abcdefXYZ';
    const value = { a: [secret, { [secret]: `x ${secret}` }], n: 1, b: true, z: null };
    const out = new Redactor([secret]).value(value);
    assert.ok(!JSON.stringify(out).includes(secret));
    assert.equal(out.n, 1);
    assert.equal(value.a[0], secret);
  });

  it('ignores empty and tiny "secrets" that would mask ordinary text', () => {
    assert.equal(redactSecrets('a plain sentence', ['', 'a', undefined, null]), 'a plain sentence');
  });
});
