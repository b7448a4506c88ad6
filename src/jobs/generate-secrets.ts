/**
 * The in-cluster secret generator, as the script the Job runs with plain `node` (no packages).
 * For each { secret, key } it reads the Secret and, only when the key is absent, patches in 32 random
 * bytes (hex). Existing values are never replaced, so re-running it after every sync is safe.
 * Values are never printed. Kept as text because it ships in a ConfigMap.
 */
export const GENERATE_SECRETS_SCRIPT = String.raw`'use strict';
const fs = require('node:fs');
const crypto = require('node:crypto');
const SA = process.env.SERVICE_ACCOUNT_DIR || '/var/run/secrets/kubernetes.io/serviceaccount';
const api = new URL(process.env.KUBE_API_URL || ('https://' + process.env.KUBERNETES_SERVICE_HOST + ':' + process.env.KUBERNETES_SERVICE_PORT));
const transport = require(api.protocol === 'http:' ? 'node:http' : 'node:https');
const token = fs.readFileSync(SA + '/token', 'utf8').trim();
const namespace = fs.readFileSync(SA + '/namespace', 'utf8').trim();
const ca = api.protocol === 'https:' ? fs.readFileSync(SA + '/ca.crt') : undefined;
const wanted = JSON.parse(process.env.GENERATE_KEYS || '[]');

function call(method, path, body, contentType) {
  return new Promise((resolve, reject) => {
    const req = transport.request(new URL(path, api), {
      method, ca, timeout: 15000,
      headers: { authorization: 'Bearer ' + token, accept: 'application/json', ...(body ? { 'content-type': contentType } : {}) },
    }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('timeout', () => req.destroy(new Error(method + ' ' + path + ': timed out')));
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

async function ensure({ secret, key }) {
  const path = '/api/v1/namespaces/' + encodeURIComponent(namespace) + '/secrets/' + encodeURIComponent(secret);
  for (let attempt = 1; ; attempt++) {
    const got = await call('GET', path);
    if (got.status === 200) {
      const data = JSON.parse(got.text).data || {};
      if (data[key]) return console.log('secret ' + secret + ': key ' + key + ' already set, kept');
      const value = crypto.randomBytes(32).toString('hex');
      const patched = await call('PATCH', path, { data: { [key]: Buffer.from(value).toString('base64') } }, 'application/merge-patch+json');
      if (patched.status !== 200) throw new Error('secret ' + secret + ': patch answered ' + patched.status);
      return console.log('secret ' + secret + ': key ' + key + ' generated');
    }
    // The Secret is applied with this Job; give a plain 'kubectl apply' a moment to create it.
    if (got.status === 404 && attempt < 30) { await new Promise((r) => setTimeout(r, 2000)); continue; }
    throw new Error('secret ' + secret + ': read answered ' + got.status + (got.status === 403 ? ' (check the Role of this Job)' : ''));
  }
}

(async () => {
  for (const item of wanted) await ensure(item);
})().catch((e) => { console.error('generate-secrets: ' + e.message); process.exit(1); });
`;
