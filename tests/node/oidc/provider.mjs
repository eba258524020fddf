#!/usr/bin/env node
// A generic, spec-following OIDC issuer on 127.0.0.1 (panva/oidc-provider) for testing
// `kubectl microservice token` against something that is *not* Keycloak: paths come only from
// discovery, client authentication is enforced, device flow and refresh tokens are real.
// Test-only additions: `interval` and `slow_down` for the device grant, a password grant, a
// non-interactive device approval route and request counters. See README.md beside this file.
import http from 'node:http';
import crypto from 'node:crypto';
import Provider from 'oidc-provider';
import { exportJWK, generateKeyPair } from 'jose';
import {
  parseFlags, intFlag, writePortFile, listen, exitCleanlyOnSignals, readBody, parseForm, isForm,
  sendJson, log,
} from './common.mjs';

const NAME = 'oidc-provider';
const USAGE = `usage: provider.mjs [flags]
  --port N                 port on 127.0.0.1 (default 0 = any free port)
  --port-file PATH         write the bound port there once listening
  --issuer-path /P         mount the issuer under a path (default: issuer is the server root)
  --client ID[:SECRET[:basic|post]]
                           client (repeatable). Without SECRET: public client (auth "none") with
                           device_code, refresh_token and password grants. With SECRET: confidential
                           client_credentials client using client_secret_basic (default) or _post.
                           Default: cli, svc:svc-secret:basic, svc-post:svc-secret:post
  --user NAME:PASS         user for the (non-standard) password grant (repeatable)
  --audience A             aud of the JWT access tokens (default: api)
  --token-ttl S            access token lifetime (default 300)
  --refresh-ttl S          refresh token lifetime (default 1800)
  --device-interval S      device grant polling interval advertised and enforced (default 5)
  --device-ttl S           device code lifetime (default 600)
  --verbose                log requests to stderr
`;

const flags = parseFlags(NAME, USAGE, {
  port: { type: 'string' },
  'port-file': { type: 'string' },
  'issuer-path': { type: 'string' },
  client: { type: 'string', multiple: true },
  user: { type: 'string', multiple: true },
  audience: { type: 'string' },
  'token-ttl': { type: 'string' },
  'refresh-ttl': { type: 'string' },
  'device-interval': { type: 'string' },
  'device-ttl': { type: 'string' },
  verbose: { type: 'boolean' },
});
const cfg = {
  port: intFlag('port', flags.port, 0),
  prefix: (flags['issuer-path'] || '').replace(/\/+$/, ''),
  audience: flags.audience || 'api',
  tokenTtl: intFlag('token-ttl', flags['token-ttl'], 300, { min: 1 }),
  refreshTtl: intFlag('refresh-ttl', flags['refresh-ttl'], 1800, { min: 1 }),
  deviceInterval: intFlag('device-interval', flags['device-interval'], 5),
  deviceTtl: intFlag('device-ttl', flags['device-ttl'], 600, { min: 1 }),
  verbose: Boolean(flags.verbose),
};
if (cfg.prefix && !cfg.prefix.startsWith('/')) {
  process.stderr.write(`${NAME}: --issuer-path must start with /\n`);
  process.exit(2);
}

const GRANT_DEVICE = 'urn:ietf:params:oauth:grant-type:device_code';
const RESOURCE = 'urn:kms:test:api';
const RS_INFO = { scope: 'api', audience: cfg.audience, accessTokenFormat: 'jwt', accessTokenTTL: cfg.tokenTtl };

const users = new Map();
for (const spec of flags.user || []) {
  const i = spec.indexOf(':');
  if (i <= 0) { process.stderr.write(`${NAME}: bad --user ${spec}\n`); process.exit(2); }
  users.set(spec.slice(0, i), spec.slice(i + 1));
}

const clients = (flags.client?.length ? flags.client : ['cli', 'svc:svc-secret:basic', 'svc-post:svc-secret:post'])
  .map((spec) => {
    const [id, secret, method = 'basic'] = spec.split(':');
    if (!id || !['basic', 'post'].includes(method)) {
      process.stderr.write(`${NAME}: bad --client ${spec}\n`);
      process.exit(2);
    }
    const base = { client_id: id, response_types: [], redirect_uris: [] };
    if (secret === undefined) {
      return { ...base, token_endpoint_auth_method: 'none', grant_types: [GRANT_DEVICE, 'refresh_token', 'password'] };
    }
    return {
      ...base, client_secret: secret, token_endpoint_auth_method: `client_secret_${method}`,
      grant_types: ['client_credentials'],
    };
  });

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const signingKey = { ...(await exportJWK(privateKey)), kid: crypto.randomUUID(), use: 'sig', alg: 'RS256' };

const stats = { token_requests: {}, token_responses: {}, total_token_requests: 0, device_authorization_requests: 0, slow_down: 0 };
const bump = (m, k) => { m[k] = (m[k] || 0) + 1; };

let boundPort = 0;
let provider;

function makeProvider(issuer) {
  const p = new Provider(issuer, {
    clients,
    jwks: { keys: [signingKey] },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    scopes: ['openid', 'offline_access', 'api'],
    claims: { openid: ['sub'], profile: ['preferred_username'] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      deviceFlow: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => RESOURCE,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (ctx, resource) => {
          if (resource !== RESOURCE) throw new Error('unknown resource');
          return RS_INFO;
        },
      },
    },
    ttl: {
      AccessToken: cfg.tokenTtl, ClientCredentials: cfg.tokenTtl, RefreshToken: cfg.refreshTtl,
      DeviceCode: cfg.deviceTtl, Grant: cfg.refreshTtl, Session: cfg.refreshTtl, Interaction: 600, IdToken: cfg.tokenTtl,
    },
    issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
    findAccount: async (ctx, sub) => ({ accountId: sub, claims: async () => ({ sub, preferred_username: sub }) }),
    extraTokenClaims: async (ctx, token) => (token.accountId
      ? { preferred_username: token.accountId, realm_access: { roles: ['user'] } }
      : { preferred_username: `service-account-${token.clientId}` }),
    interactions: { url: async (ctx, interaction) => `/interaction/${interaction.uid}` },
  });

  // A password grant so refresh tokens can be had without a device flow (not in oidc-provider).
  p.registerGrantType('password', async (ctx) => {
    const { username, password } = ctx.oidc.params;
    const { client } = ctx.oidc;
    if (!username || !users.has(username) || users.get(username) !== password) {
      ctx.status = 400;
      ctx.body = { error: 'invalid_grant', error_description: 'invalid username or password' };
      return;
    }
    const grant = new p.Grant({ accountId: username, clientId: client.clientId });
    grant.addOIDCScope('openid offline_access');
    grant.addResourceScope(RESOURCE, 'api');
    const grantId = await grant.save();
    const at = new p.AccessToken({ accountId: username, client, grantId, gty: 'password', scope: 'api' });
    at.resourceServer = new p.ResourceServer(RESOURCE, RS_INFO);
    const rt = new p.RefreshToken({
      accountId: username, client, grantId, gty: 'password', scope: 'openid offline_access api', resource: RESOURCE,
    });
    ctx.body = {
      access_token: await at.save(), token_type: 'Bearer', expires_in: at.expiration,
      refresh_token: await rt.save(), scope: 'api',
    };
  }, ['username', 'password', 'scope']);

  // RFC 8628 3.2: the response SHOULD carry `interval`; oidc-provider leaves it out.
  p.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route === 'device_authorization' && ctx.status === 200 && ctx.body && typeof ctx.body === 'object') {
      ctx.body.interval = cfg.deviceInterval;
    }
  });
  return p;
}

// ---- test-only: approve or deny a device code as the user would in the browser ------------------
async function deviceDecision(res, form, action) {
  const userCode = String(form.user_code || '').toUpperCase().replace(/\W/g, '');
  const code = userCode ? await provider.DeviceCode.findByUserCode(userCode, { ignoreExpiration: true }) : undefined;
  if (!code) return sendJson(res, 404, { error: 'no device authorization with that user_code' });
  if (code.isExpired) return sendJson(res, 400, { error: 'device code is expired' });
  if (code.accountId || code.error) return sendJson(res, 409, { error: 'device code already decided' });
  if (action === 'deny') {
    Object.assign(code, { error: 'access_denied', errorDescription: 'End-User aborted interaction' });
    await code.save();
    return sendJson(res, 200, { ok: true, status: 'denied' });
  }
  const accountId = form.username;
  if (!accountId) return sendJson(res, 400, { error: 'username is required' });
  const requested = new Set(String(code.params?.scope || '').split(' ').filter(Boolean));
  const oidcScopes = ['openid', 'offline_access'].filter((s) => requested.has(s) || s === 'openid');
  const grant = new provider.Grant({ accountId, clientId: code.clientId });
  grant.addOIDCScope(oidcScopes.join(' '));
  grant.addResourceScope(RESOURCE, 'api');
  const grantId = await grant.save();
  Object.assign(code, {
    accountId, grantId, authTime: Math.floor(Date.now() / 1000), scope: [...oidcScopes, 'api'].join(' '),
    resource: RESOURCE, acr: 'urn:mace:incommon:iap:silver', amr: ['pwd'],
  });
  await code.save();
  return sendJson(res, 200, { ok: true, status: 'approved' });
}

// ---- outer HTTP layer: mount, counters, slow_down --------------------------------------------
const lastPoll = new Map(); // device_code -> ms

async function handle(req, res, callback) {
  const url = new URL(req.url, 'http://x');
  log(cfg.verbose, NAME, `${req.method} ${req.url}`);
  if (url.pathname === '/__mock/stats' && req.method === 'GET') return sendJson(res, 200, stats);
  if (url.pathname === '/__mock/reset' && req.method === 'POST') {
    for (const k of Object.keys(stats)) stats[k] = typeof stats[k] === 'number' ? 0 : {};
    return sendJson(res, 200, stats);
  }
  if ((url.pathname === '/__mock/device/approve' || url.pathname === '/__mock/device/deny') && req.method === 'POST') {
    return deviceDecision(res, parseForm(await readBody(req)).form, url.pathname.endsWith('deny') ? 'deny' : 'approve');
  }
  if (cfg.prefix) {
    if (url.pathname !== cfg.prefix && !url.pathname.startsWith(`${cfg.prefix}/`)) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      return res.end('Not Found\n');
    }
    req.originalUrl = req.url;
    req.url = req.url.slice(cfg.prefix.length) || '/';
  }
  const path = req.url.split('?')[0];
  if (req.method === 'POST' && path === '/device/auth') stats.device_authorization_requests++;
  if (req.method === 'POST' && path === '/token') {
    const buf = await readBody(req, 56 * 1024);
    const { form } = isForm(req) ? parseForm(buf) : { form: {} };
    stats.total_token_requests++;
    bump(stats.token_requests, form.grant_type ?? '(missing)');
    res.on('finish', () => bump(stats.token_responses, String(res.statusCode)));
    if (form.grant_type === GRANT_DEVICE && form.device_code) {
      const code = await provider.DeviceCode.find(form.device_code, { ignoreExpiration: true });
      if (code && !code.isExpired && !code.accountId && !code.error) {
        const t = Date.now();
        const last = lastPoll.get(form.device_code);
        lastPoll.set(form.device_code, t);
        if (last !== undefined && t - last < cfg.deviceInterval * 1000) {
          stats.slow_down++;
          return sendJson(res, 400, {
            error: 'slow_down', error_description: 'you are polling too quickly and should back off at a reasonable rate',
          }, { 'Cache-Control': 'no-store', Pragma: 'no-cache' });
        }
      }
    }
    req.body = buf; // oidc-provider reads an already-consumed body from req.body
  }
  return callback(req, res);
}

const server = http.createServer();
boundPort = await listen(server, cfg.port);
const issuer = `http://127.0.0.1:${boundPort}${cfg.prefix}`;
provider = makeProvider(issuer);
provider.on('server_error', (ctx, err) => process.stderr.write(`${NAME}: server_error ${err.stack || err}\n`));
const callback = provider.callback();
server.on('request', (req, res) => {
  handle(req, res, callback).catch((e) => {
    process.stderr.write(`${NAME}: ${e.stack || e}\n`);
    if (!res.headersSent) sendJson(res, e.status || 500, { error: 'server_error' });
    else res.destroy();
  });
});
exitCleanlyOnSignals([server], NAME);
writePortFile(flags['port-file'], boundPort);
process.stderr.write(`${NAME}: listening on http://127.0.0.1:${boundPort}, issuer: ${issuer}\n`);
