#!/usr/bin/env node
// A JWT-checking echo service on 127.0.0.1: the gateway (Envoy jwt_authn, as used by Istio
// RequestAuthentication and Envoy Gateway SecurityPolicy) and the backend in one process, for
// testing `kubectl microservice call`. Rejections use Envoy's status codes and bodies
// (google/jwt_verify_lib status strings), in Envoy's order of checks:
//   no token -> issuer -> exp/nbf (with clock skew) -> audience -> key lookup -> signature.
// See README.md beside this file.
import http from 'node:http';
import { createRemoteJWKSet, compactVerify } from 'jose';
import {
  parseFlags, intFlag, writePortFile, listen, exitCleanlyOnSignals, readBody, sendJson, log,
} from './common.mjs';

const NAME = 'echo';
const USAGE = `usage: echo.mjs --issuer URL [flags]
  --issuer URL           the one accepted issuer (Envoy: providers[].issuer); JWKS comes from its
                         discovery document unless --jwks-uri is given
  --jwks-uri URL         remote JWKS (Envoy: remoteJWKS.uri)
  --audience A           accepted audience (repeatable; none = audiences not checked)
  --clock-skew S         allowed skew for exp/nbf (default 60, Envoy's default)
  --claim-to-header C:H  copy claim C (dotted path) into request header H before echoing (repeatable)
  --no-auth              no JWT checks at all (a plain backend)
  --port N               port on 127.0.0.1 (default 0 = any free port)
  --port-file PATH       write the bound port there once listening
  --verbose              log requests to stderr
Routes: GET /yaml, /binary[?size=N], /large[?size=N], /status/CODE, /slow[?ms=N]; anything else echoes.
`;

const flags = parseFlags(NAME, USAGE, {
  issuer: { type: 'string' },
  'jwks-uri': { type: 'string' },
  audience: { type: 'string', multiple: true },
  'clock-skew': { type: 'string' },
  'claim-to-header': { type: 'string', multiple: true },
  'no-auth': { type: 'boolean' },
  port: { type: 'string' },
  'port-file': { type: 'string' },
  verbose: { type: 'boolean' },
});
const cfg = {
  issuer: flags.issuer,
  jwksUri: flags['jwks-uri'],
  audiences: flags.audience || [],
  clockSkew: intFlag('clock-skew', flags['clock-skew'], 60),
  claimToHeaders: (flags['claim-to-header'] || []).map((s) => {
    const i = s.indexOf(':');
    if (i <= 0) { process.stderr.write(`${NAME}: bad --claim-to-header ${s}\n`); process.exit(2); }
    return [s.slice(0, i), s.slice(i + 1).toLowerCase()];
  }),
  auth: !flags['no-auth'],
  port: intFlag('port', flags.port, 0),
  verbose: Boolean(flags.verbose),
};
if (cfg.auth && !cfg.issuer) {
  process.stderr.write(`${NAME}: --issuer is required (or --no-auth)\n${USAGE}`);
  process.exit(2);
}

// ---- JWT checks, Envoy style -----------------------------------------------------------------
const S = {
  missing: 'Jwt is missing',
  badFormat: 'Jwt is not in the form of Header.Payload.Signature',
  headerParse: 'Jwt header is an invalid Base64url input or an invalid JSON',
  badAlg: 'Jwt header [alg] field value is invalid',
  payloadParse: 'Jwt payload is an invalid Base64 or an invalid JSON',
  unknownIssuer: 'Jwt issuer is not configured',
  expired: 'Jwt is expired',
  notYetValid: 'Jwt not yet valid',
  audience: 'Audiences in Jwt are not allowed',
  kidMismatch: "Jwks doesn't have key to match kid or alg from Jwt",
  verifyFail: 'Jwt verification fails',
  fetchFail: 'Jwks remote fetch is failed',
};
const ALGS = new Set(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA',
  'HS256', 'HS384', 'HS512']);

class JwtError extends Error {
  constructor(msg) { super(msg); this.status = msg === S.audience ? 403 : 401; }
}

let jwks; // jose remote JWKS, created on first use
async function getJwks() {
  if (jwks) return jwks;
  let uri = cfg.jwksUri;
  if (!uri) {
    try {
      const r = await fetch(`${cfg.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`,
        { signal: AbortSignal.timeout(5000) });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      uri = (await r.json()).jwks_uri;
      if (!uri) throw new Error('no jwks_uri');
    } catch (e) {
      log(cfg.verbose, NAME, `discovery failed: ${e.message}`);
      throw new JwtError(S.fetchFail);
    }
  }
  jwks = createRemoteJWKSet(new URL(uri), { timeoutDuration: 5000, cooldownDuration: 0, cacheMaxAge: 600000 });
  return jwks;
}

// Envoy compares audiences after dropping a scheme prefix and one trailing slash.
const normAud = (a) => String(a).replace(/^https?:\/\//, '').replace(/\/$/, '');

function extractToken(req, url) {
  const h = req.headers.authorization;
  if (h !== undefined) {
    const m = /^Bearer (.+)$/.exec(h);
    if (m) return m[1].trim();
  }
  return url.searchParams.get('access_token') || null;
}

function decodePart(s, what) {
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return v;
  } catch {
    throw new JwtError(what);
  }
}

async function authenticate(req, url) {
  const token = extractToken(req, url);
  if (!token) throw new JwtError(S.missing);
  const parts = token.split('.');
  if (parts.length !== 3) throw new JwtError(S.badFormat);
  const header = decodePart(parts[0], S.headerParse);
  if (typeof header.alg !== 'string' || !ALGS.has(header.alg)) throw new JwtError(S.badAlg);
  const claims = decodePart(parts[1], S.payloadParse);
  if (claims.iss !== cfg.issuer) throw new JwtError(S.unknownIssuer);
  const now = Math.floor(Date.now() / 1000);
  if (typeof claims.nbf === 'number' && claims.nbf > now + cfg.clockSkew) throw new JwtError(S.notYetValid);
  if (typeof claims.exp === 'number' && now > claims.exp + cfg.clockSkew) throw new JwtError(S.expired);
  if (cfg.audiences.length) {
    const have = (Array.isArray(claims.aud) ? claims.aud : claims.aud === undefined ? [] : [claims.aud]).map(normAud);
    const allowed = new Set(cfg.audiences.map(normAud));
    if (!have.some((a) => allowed.has(a))) throw new JwtError(S.audience);
  }
  const keys = await getJwks();
  try {
    await compactVerify(token, keys);
  } catch (e) {
    switch (e?.code) {
      case 'ERR_JWKS_NO_MATCHING_KEY':
        throw new JwtError(S.kidMismatch);
      case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED': case 'ERR_JWS_INVALID': case 'ERR_JOSE_ALG_NOT_ALLOWED':
      case 'ERR_JOSE_NOT_SUPPORTED': case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
        throw new JwtError(S.verifyFail);
      default: // timeouts, refused connections, a JWKS that is not one
        log(cfg.verbose, NAME, `jwks: ${e?.code || ''} ${e?.message || e}`);
        throw new JwtError(S.fetchFail);
    }
  }
  return claims;
}

// ---- routes ----------------------------------------------------------------------------------
const YAML = `apiVersion: v1
kind: ConfigMap
metadata:
  name: echo-sample
  labels:
    app: echo
data:
  greeting: hello
  list: |
    - a
    - b
`;
const MAX_SIZE = 64 << 20;
const sizeParam = (url, def) => Math.min(MAX_SIZE, Math.max(0, Number.parseInt(url.searchParams.get('size') ?? def, 10) || 0));
const getPath = (o, dotted) => dotted.split('.').reduce((v, k) => (v == null ? undefined : v[k]), o);

async function route(req, res, url, claims) {
  const p = url.pathname;
  if (p === '/yaml') {
    res.writeHead(200, { 'Content-Type': 'application/yaml', 'Content-Length': Buffer.byteLength(YAML) });
    return res.end(YAML);
  }
  if (p === '/binary') {
    const n = sizeParam(url, 256);
    const buf = Buffer.alloc(n);
    for (let i = 0; i < n; i++) buf[i] = i & 0xff; // every byte value, NULs included
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': n });
    return res.end(buf);
  }
  if (p === '/large') {
    const n = sizeParam(url, 1 << 20);
    const line = 'The quick brown fox jumps over the lazy dog 0123456789.\n';
    const buf = Buffer.alloc(n, line);
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': n });
    return res.end(buf);
  }
  const st = /^\/status\/(\d{3})$/.exec(p);
  if (st) {
    const code = Number(st[1]);
    if (code < 200 || code > 599) return sendJson(res, 400, { error: 'status must be 200..599' });
    if (code === 204 || code === 304) { res.writeHead(code); return res.end(); }
    return sendJson(res, code, { status: code, message: http.STATUS_CODES[code] || 'Unknown' });
  }
  let body = await readBody(req, MAX_SIZE);
  if (p === '/slow') {
    const ms = Math.min(30000, Math.max(0, Number.parseInt(url.searchParams.get('ms') ?? '2000', 10) || 0));
    await new Promise((r) => { setTimeout(r, ms); });
    if (res.destroyed) return undefined;
  }
  const headers = { ...req.headers };
  for (const [claim, header] of cfg.claimToHeaders) {
    const v = claims ? getPath(claims, claim) : undefined;
    if (['string', 'number', 'boolean'].includes(typeof v)) headers[header] = String(v);
  }
  if (headers.authorization !== undefined) {
    const sp = headers.authorization.indexOf(' ');
    headers.authorization = sp > 0 ? `${headers.authorization.slice(0, sp)} REDACTED` : 'REDACTED';
  }
  const text = body.toString('utf8');
  const isUtf8 = Buffer.from(text, 'utf8').equals(body);
  const out = {
    method: req.method,
    path: p,
    query: Object.fromEntries([...new Set(url.searchParams.keys())].map((k) => {
      const all = url.searchParams.getAll(k);
      return [k, all.length === 1 ? all[0] : all];
    })),
    headers,
    body: isUtf8 ? text : body.toString('base64'),
    body_encoding: isUtf8 ? 'utf8' : 'base64',
    body_length: body.length,
    claims: claims ? { sub: claims.sub, preferred_username: claims.preferred_username, aud: claims.aud } : null,
  };
  body = null;
  return sendJson(res, 200, out);
}

async function handle(req, res) {
  const url = new URL(req.url, 'http://x');
  log(cfg.verbose, NAME, `${req.method} ${req.url}`);
  let claims = null;
  if (cfg.auth) {
    try {
      claims = await authenticate(req, url);
    } catch (e) {
      if (!(e instanceof JwtError)) throw e;
      const realm = `http://${req.headers.host || '127.0.0.1'}${url.pathname}`;
      const wwwAuth = e.message === S.missing ? `Bearer realm="${realm}"` : `Bearer realm="${realm}", error="invalid_token"`;
      res.writeHead(e.status, {
        'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(e.message), 'WWW-Authenticate': wwwAuth,
      });
      return res.end(e.message);
    }
  }
  return route(req, res, url, claims);
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((e) => {
    process.stderr.write(`${NAME}: ${e.stack || e}\n`);
    if (!res.headersSent) sendJson(res, e.status || 500, { error: String(e.message || e) });
    else res.destroy();
  });
});
server.requestTimeout = 0; // /slow and big uploads must not be cut by Node's default timeouts
const port = await listen(server, cfg.port);
exitCleanlyOnSignals([server], NAME);
writePortFile(flags['port-file'], port);
process.stderr.write(`${NAME}: listening on http://127.0.0.1:${port}${cfg.auth ? `, issuer ${cfg.issuer}, audiences [${cfg.audiences.join(', ')}]` : ', no auth'}\n`);
