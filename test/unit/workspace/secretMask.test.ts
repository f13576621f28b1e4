import { strict as assert } from 'node:assert';
import { SecretMasker, untriggeredRules } from '../../../src/core/workspace/secretMask';

const PEM = ['-----BEGIN RSA PRIVATE KEY-----', 'MIIEowIBAAKCAQEA' + 'x'.repeat(48), ...Array(4).fill('A'.repeat(64)), '-----END RSA PRIVATE KEY-----'].join('\n');

// Tokens shaped as each service issues them (made up, not live).
const SAMPLES: Array<[string, string, string]> = [
  ['privatekey', `a\n${PEM}\nb\n`, `a\n[secret masked: privatekey]${'\n'.repeat(6)}\nb\n`],
  ['github', `token = "ghp_${'a1B2c3D4e5'.repeat(3)}a1B2c3"\n`, 'token = "[secret masked: github]"\n'],
  ['openai', `OPENAI=sk-proj-${'A'.repeat(74)}T3BlbkFJ${'B'.repeat(74)}\n`, 'OPENAI=[secret masked: openai]\n'],
  ['aws', 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzzzzzzzzz\n', '[secret masked: aws]\n'],
  ['slack', 'x = "xoxb-1234567890-abcdefghij"\n', 'x = "[secret masked: slack]"\n'],
  ['database-connection-string', 'url: POSTGRES://admin:hunter2pass@db.example.com:5432/app\n', 'url: [secret masked: database-connection-string]\n'],
  ['api-key', 'key is sk-configured-0123456789 ok\n', 'key is [secret masked: api-key] ok\n'],
];

describe('secret masking (secretlint recommended rules)', () => {
  const m = new SecretMasker(['sk-configured-0123456789']);

  for (const [rule, text, masked] of SAMPLES) {
    it(`masks ${rule}, keeping the line count`, () => {
      assert.equal(m.mask(text, 'f.txt'), masked);
      assert.equal(masked.split('\n').length, text.split('\n').length);
    });
  }

  it('masks a GCP service-account key file whole', () => {
    const json = JSON.stringify({ type: 'service_account', private_key_id: 'k', private_key: PEM + '\n' });
    assert.equal(m.mask(json, 'keys/gcp.json'), '[secret masked: gcp]');
  });

  it('leaves text without secrets as it is (the same string)', () => {
    const code = 'const access = "https://example.com/api"; // postgres docs\n';
    assert.equal(m.mask(code, 'a.ts'), code);
  });

  it('has a trigger for every rule of the preset (a rule without one would run on every text)', () => {
    assert.deepEqual(untriggeredRules(), []);
  });

  it('ignores known values too short to be a key', () => {
    assert.equal(new SecretMasker(['x', 'short']).mask('x short x\n'), 'x short x\n');
  });
});
