#!/usr/bin/env node
// A Keycloak look-alike on 127.0.0.1 for testing `kubectl microservice token|call`.
//
// Tokens are minted and JWKS/authorize are served by oauth2-mock-server (pinned 8.2.3); everything
// that library does not validate (realms, clients, users, refresh tokens, sessions, the device grant)
// is done here, with Keycloak's paths, status codes and error strings. See README.md beside this file.
import http from 'node:http';
import crypto from 'node:crypto';
import { OAuth2Issuer, OAuth2Service } from 'oauth2-mock-server';
import { importJWK, jwtVerify } from 'jose';
import {
  parseFlags, intFlag, writePortFile, listen, exitCleanlyOnSignals, readBody, parseForm, isForm,
  sendJson, log,
} from './common.mjs';

const NAME = 'keycloak-mock';
const USAGE = `usage: keycloak-mock.mjs [flags]
  --port N                  port on 127.0.0.1 (default 0 = any free port)
  --port-file PATH          write the bound port there once listening
  --realm NAME              realm to serve (repeatable; default: test)
  --legacy                  serve under /auth (Keycloak < 17 layout: /auth/realms/NAME)
  --user NAME:PASS[:ROLES]  user (repeatable); ROLES = comma list of extra realm roles
  --disabled-user NAME      user exists but is disabled -> "Account disabled"
  --incomplete-user NAME    user has pending required actions -> "Account is not fully set up"
  --client ID[:SECRET]      allowed client (repeatable; default: public client "istio");
                            with SECRET the client is confidential (client_credentials allowed)
  --direct-grant-disabled ID  client exists but "Direct Access Grants" is off
  --audience A              access-token aud (repeatable; default: account)
  --token-ttl S             access token lifetime (default 300)
  --refresh-ttl S           refresh token / SSO idle lifetime (default 1800)
  --revoke-refresh-token    realm "Revoke Refresh Token" on (max reuse 0): a used refresh token dies
  --device-interval S       device grant polling interval (default 5)
  --device-ttl S            device code lifetime (default 600)
  --verbose                 log requests to stderr
`;

const flags = parseFlags(NAME, USAGE, {
  port: { type: 'string' },
  'port-file': { type: 'string' },
  realm: { type: 'string', multiple: true },
  legacy: { type: 'boolean' },
  user: { type: 'string', multiple: true },
  'disabled-user': { type: 'string', multiple: true },
  'incomplete-user': { type: 'string', multiple: true },
  client: { type: 'string', multiple: true },
  'direct-grant-disabled': { type: 'string', multiple: true },
  audience: { type: 'string', multiple: true },
  'token-ttl': { type: 'string' },
  'refresh-ttl': { type: 'string' },
  'revoke-refresh-token': { type: 'boolean' },
  'device-interval': { type: 'string' },
  'device-ttl': { type: 'string' },
  verbose: { type: 'boolean' },
});

const cfg = {
  port: intFlag('port', flags.port, 0),
  prefix: flags.legacy ? '/auth' : '',
  tokenTtl: intFlag('token-ttl', flags['token-ttl'], 300, { min: 1 }),
  refreshTtl: intFlag('refresh-ttl', flags['refresh-ttl'], 1800, { min: 1 }),
  deviceInterval: intFlag('device-interval', flags['device-interval'], 5),
  deviceTtl: intFlag('device-ttl', flags['device-ttl'], 600, { min: 1 }),
  revokeRefreshToken: Boolean(flags['revoke-refresh-token']),
  audience: flags.audience?.length ? flags.audience : ['account'],
  verbose: Boolean(flags.verbose),
};

const KC = '/protocol/openid-connect';
const P = {
  token: `${KC}/token`, certs: `${KC}/certs`, auth: `${KC}/auth`, userinfo: `${KC}/userinfo`,
  revoke: `${KC}/revoke`, logout: `${KC}/logout`, introspect: `${KC}/token/introspect`,
  device: `${KC}/auth/device`,
};
const GRANT_DEVICE = 'urn:ietf:params:oauth:grant-type:device_code';
const DEFAULT_ROLES = (realm) => [`default-roles-${realm}`, 'offline_access', 'uma_authorization'];
const OPTIONAL_SCOPES = new Set(['offline_access', 'address', 'phone', 'microprofile-jwt', 'organization']);
const DEFAULT_SCOPES = ['profile', 'email'];

const fail = (status, error, description) => ({
  status, body: description === undefined ? { error } : { error, error_description: description },
});
const die = (msg) => { process.stderr.write(`${NAME}: ${msg}\n`); process.exit(2); };

// ---- configuration: users and clients --------------------------------------------------------
const users = new Map();
for (const spec of flags.user || []) {
  const m = /^([^:]+):([^:]*)(?::(.*))?$/.exec(spec);
  if (!m) die(`bad --user ${JSON.stringify(spec)}, want NAME:PASSWORD[:ROLE,ROLE]`);
  users.set(m[1], {
    username: m[1], password: m[2], roles: m[3] ? m[3].split(',').filter(Boolean) : [],
    enabled: true, requiredActions: false,
  });
}
const userOrDie = (name, flag) => users.get(name) || die(`--${flag} ${name}: no such --user`);
for (const n of flags['disabled-user'] || []) userOrDie(n, 'disabled-user').enabled = false;
for (const n of flags['incomplete-user'] || []) userOrDie(n, 'incomplete-user').requiredActions = true;

const clients = new Map();
for (const spec of flags.client?.length ? flags.client : ['istio']) {
  const i = spec.indexOf(':');
  const id = i < 0 ? spec : spec.slice(0, i);
  if (!id) die(`bad --client ${JSON.stringify(spec)}`);
  clients.set(id, { clientId: id, secret: i < 0 ? null : spec.slice(i + 1), directGrants: true });
}
for (const id of flags['direct-grant-disabled'] || []) {
  if (!clients.has(id)) clients.set(id, { clientId: id, secret: null, directGrants: true });
  clients.get(id).directGrants = false;
}

// ---- helpers ----------------------------------------------------------------------------------
const now = () => Math.floor(Date.now() / 1000);
const b64u = (buf) => Buffer.from(buf).toString('base64url');
const uuidFrom = (s) => {
  const h = crypto.createHash('sha256').update(s).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};
const formDecode = (s) => {
  try { return decodeURIComponent(s.replace(/\+/g, ' ')); } catch { return s; }
};

const stats = {
  token_requests: {}, token_responses: {}, total_token_requests: 0,
  device_authorization_requests: 0, discovery_requests: 0, jwks_requests: 0, userinfo_requests: 0,
  revoke_requests: 0, logout_requests: 0, introspect_requests: 0, realm_info_requests: 0,
};
const resetStats = () => {
  for (const k of Object.keys(stats)) stats[k] = typeof stats[k] === 'number' ? 0 : {};
};
const bump = (map, key) => { map[key] = (map[key] || 0) + 1; };

// ---- realms -----------------------------------------------------------------------------------
class Realm {
  constructor(name) {
    this.name = name;
    this.base = `${cfg.prefix}/realms/${name}`;
    this.hmac = crypto.randomBytes(64);
    this.hmacKid = crypto.randomUUID();
    this.sessions = new Map(); // sid -> session
    this.devices = new Map(); // device_code -> device
    this.revokedAccess = new Set(); // jti
    this.refreshIssuedMs = new Map(); // refresh jti -> issue time in ms (Keycloak keeps seconds)
    this.issuer = new OAuth2Issuer();
    this.service = new OAuth2Service(this.issuer, {
      token: P.token, jwks: P.certs, authorize: P.auth, userinfo: P.userinfo, revoke: P.revoke,
      endSession: P.logout, introspect: P.introspect,
    });
    this.service.on('beforeTokenSigning', (token, req) => this.shapeToken(token, req));
    this.service.on('beforeResponse', (resp, req) => this.shapeResponse(resp, req));
  }

  async init() {
    this.jwk = await this.issuer.keys.generate('RS256', { kid: b64u(crypto.randomBytes(32)) });
    const pub = crypto.createPublicKey({ key: { kty: 'RSA', n: this.jwk.n, e: this.jwk.e }, format: 'jwk' });
    this.publicKeyB64 = pub.export({ type: 'spki', format: 'der' }).toString('base64');
    this.verifyKey = await importJWK({ kty: 'RSA', n: this.jwk.n, e: this.jwk.e }, 'RS256');
  }

  sub(user) { return uuidFrom(`${this.name}:${user.username}`); }

  issuerFor(req) {
    // Like a Keycloak without a pinned hostname: the issuer follows the Host the client used.
    return `http://${req.headers.host || `127.0.0.1:${boundPort}`}${this.base}`;
  }

  // Keycloak-shaped claims on top of what oauth2-mock-server put in (iss, iat, exp, nbf, ...).
  shapeToken(token, req) {
    const k = req.kms;
    const p = token.payload;
    const iat = p.iat;
    const which = k.signed++;
    for (const key of Object.keys(p)) delete p[key];
    const common = {
      exp: iat + cfg.tokenTtl, iat, jti: crypto.randomUUID(), iss: k.iss,
    };
    if (which === 0) {
      const roles = k.user ? [...DEFAULT_ROLES(this.name), ...k.user.roles] : DEFAULT_ROLES(this.name);
      Object.assign(p, common, {
        aud: cfg.audience.length === 1 ? cfg.audience[0] : [...cfg.audience],
        sub: k.user ? this.sub(k.user) : uuidFrom(`${this.name}:service-account-${k.client.clientId}`),
        typ: 'Bearer', azp: k.client.clientId,
      });
      if (k.session) p.sid = k.session.sid;
      Object.assign(p, {
        acr: '1', 'allowed-origins': ['/*'], realm_access: { roles },
        resource_access: { account: { roles: ['manage-account', 'manage-account-links', 'view-profile'] } },
        scope: k.scope, email_verified: false,
      });
      if (!k.user) p.clientHost = req.socket.remoteAddress;
      p.preferred_username = k.user ? k.user.username : `service-account-${k.client.clientId}`;
      if (!k.user) p.client_id = k.client.clientId;
      k.accessJti = p.jti;
    } else {
      Object.assign(p, common, {
        aud: k.client.clientId, sub: this.sub(k.user), typ: 'ID', azp: k.client.clientId, sid: k.session.sid,
        acr: '1', email_verified: false, preferred_username: k.user.username,
      });
    }
  }

  shapeResponse(resp, req) {
    const k = req.kms;
    if (resp.statusCode !== 200) return;
    const wantsId = k.scope.split(' ').includes('openid');
    const body = {
      access_token: resp.body.access_token,
      expires_in: cfg.tokenTtl,
      refresh_expires_in: k.session ? cfg.refreshTtl : 0,
    };
    if (k.session) body.refresh_token = this.mintRefreshToken(k);
    body.token_type = 'Bearer';
    if (wantsId && k.session && resp.body.id_token) body.id_token = resp.body.id_token;
    body['not-before-policy'] = 0;
    if (k.session) body.session_state = k.session.sid;
    body.scope = k.scope;
    resp.body = body;
  }

  // Keycloak refresh tokens are HS512 JWTs with typ "Refresh", signed with the realm's HMAC key.
  mintRefreshToken(k) {
    const iat = now();
    const payload = {
      exp: iat + cfg.refreshTtl, iat, jti: crypto.randomUUID(), iss: k.iss, aud: k.iss, sub: this.sub(k.user),
      typ: 'Refresh', azp: k.client.clientId, sid: k.session.sid, scope: k.scope,
    };
    const head = b64u(JSON.stringify({ alg: 'HS512', typ: 'JWT', kid: this.hmacKid }));
    const body = b64u(JSON.stringify(payload));
    const sig = crypto.createHmac('sha512', this.hmac).update(`${head}.${body}`).digest('base64url');
    this.refreshIssuedMs.set(payload.jti, Date.now());
    return `${head}.${body}.${sig}`;
  }

  decodeRefreshToken(token) {
    const parts = String(token).split('.');
    if (parts.length !== 3) return null;
    const expect = crypto.createHmac('sha512', this.hmac).update(`${parts[0]}.${parts[1]}`).digest();
    let sig;
    try { sig = Buffer.from(parts[2], 'base64url'); } catch { return null; }
    if (sig.length !== expect.length || !crypto.timingSafeEqual(sig, expect)) return null;
    try { return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')); } catch { return null; }
  }

  async verifyAccessToken(token) {
    try {
      const { payload } = await jwtVerify(token, this.verifyKey, { algorithms: ['RS256'] });
      if (payload.typ !== 'Bearer' || this.revokedAccess.has(payload.jti)) return null;
      if (payload.sid) {
        const s = this.sessions.get(payload.sid);
        if (!s || !s.active) return null;
      }
      return payload;
    } catch {
      return null;
    }
  }

  discovery(iss) {
    const e = (p) => `${iss}${p}`;
    return {
      issuer: iss,
      authorization_endpoint: e(P.auth),
      token_endpoint: e(P.token),
      introspection_endpoint: e(P.introspect),
      userinfo_endpoint: e(P.userinfo),
      end_session_endpoint: e(P.logout),
      frontchannel_logout_session_supported: true,
      frontchannel_logout_supported: true,
      jwks_uri: e(P.certs),
      check_session_iframe: e(`${KC}/login-status-iframe.html`),
      grant_types_supported: ['authorization_code', 'client_credentials', 'implicit', 'password',
        'refresh_token', GRANT_DEVICE, 'urn:ietf:params:oauth:grant-type:token-exchange',
        'urn:ietf:params:oauth:grant-type:uma-ticket', 'urn:openid:params:grant-type:ciba'],
      acr_values_supported: ['0', '1'],
      response_types_supported: ['code', 'none', 'id_token', 'token', 'id_token token', 'code id_token',
        'code token', 'code id_token token'],
      subject_types_supported: ['public', 'pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      userinfo_signing_alg_values_supported: ['RS256', 'none'],
      response_modes_supported: ['query', 'fragment', 'form_post', 'query.jwt', 'fragment.jwt',
        'form_post.jwt', 'jwt'],
      registration_endpoint: `${iss}/clients-registrations/openid-connect`,
      token_endpoint_auth_methods_supported: ['private_key_jwt', 'client_secret_basic',
        'client_secret_post', 'tls_client_auth', 'client_secret_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['RS256'],
      introspection_endpoint_auth_methods_supported: ['private_key_jwt', 'client_secret_basic',
        'client_secret_post', 'tls_client_auth', 'client_secret_jwt'],
      claims_supported: ['aud', 'sub', 'iss', 'auth_time', 'name', 'given_name', 'family_name',
        'preferred_username', 'email', 'acr'],
      claim_types_supported: ['normal'],
      claims_parameter_supported: true,
      scopes_supported: ['openid', ...DEFAULT_SCOPES, ...OPTIONAL_SCOPES, 'roles', 'web-origins', 'acr',
        'basic'],
      request_parameter_supported: true,
      request_uri_parameter_supported: true,
      require_request_uri_registration: true,
      code_challenge_methods_supported: ['plain', 'S256'],
      tls_client_certificate_bound_access_tokens: true,
      revocation_endpoint: e(P.revoke),
      revocation_endpoint_auth_methods_supported: ['private_key_jwt', 'client_secret_basic',
        'client_secret_post', 'tls_client_auth', 'client_secret_jwt'],
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
      device_authorization_endpoint: e(P.device),
      backchannel_token_delivery_modes_supported: ['poll', 'ping'],
      backchannel_authentication_endpoint: e(`${KC}/ext/ciba/auth`),
      require_pushed_authorization_requests: false,
      pushed_authorization_request_endpoint: e(`${KC}/ext/par/request`),
      mtls_endpoint_aliases: {
        token_endpoint: e(P.token), revocation_endpoint: e(P.revoke),
        introspection_endpoint: e(P.introspect), device_authorization_endpoint: e(P.device),
        registration_endpoint: `${iss}/clients-registrations/openid-connect`,
        userinfo_endpoint: e(P.userinfo),
        pushed_authorization_request_endpoint: e(`${KC}/ext/par/request`),
        backchannel_authentication_endpoint: e(`${KC}/ext/ciba/auth`),
      },
      authorization_response_iss_parameter_supported: true,
    };
  }
}

// ---- client authentication (ClientIdAndSecretAuthenticator) ------------------------------------
function authenticateClient(form, req) {
  let id; let secret;
  const auth = req.headers.authorization;
  if (auth) {
    const m = /^basic\s+(\S+)$/i.exec(auth);
    const dec = m ? Buffer.from(m[1], 'base64').toString('utf8') : '';
    const i = dec.indexOf(':');
    if (m && i >= 0) {
      // RFC 6749 2.3.1: id and secret are form-encoded before base64 (Keycloak >= 20 decodes them).
      id = formDecode(dec.slice(0, i));
      secret = formDecode(dec.slice(i + 1));
    } else if (!Object.hasOwn(form, 'client_id')) {
      return { status: 401, body: null, headers: { 'WWW-Authenticate': 'Basic realm="keycloak"' } };
    }
  }
  if (Object.hasOwn(form, 'client_id')) id = form.client_id;
  if (Object.hasOwn(form, 'client_secret')) secret = form.client_secret;
  if (!id) return fail(400, 'invalid_client', 'Missing client_id parameter');
  const client = clients.get(id);
  if (!client) return fail(401, 'invalid_client', 'Invalid client or Invalid client credentials');
  if (client.secret !== null) {
    if (secret === undefined || secret !== client.secret) {
      return fail(401, 'unauthorized_client', 'Invalid client or Invalid client credentials');
    }
  }
  return { client };
}

// ---- token endpoint ---------------------------------------------------------------------------
async function tokenEndpoint(realm, req, res, form, duplicated) {
  const grant = form.grant_type;
  stats.total_token_requests++;
  bump(stats.token_requests, grant ?? '(missing)');
  res.on('finish', () => bump(stats.token_responses, String(res.statusCode)));
  const noStore = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };
  const reply = (r) => (r.body === null
    ? (res.writeHead(r.status, { ...noStore, ...(r.headers || {}) }), res.end())
    : sendJson(res, r.status, r.body, { ...noStore, ...(r.headers || {}) }));

  if (!grant) return reply(fail(400, 'invalid_request', 'Missing form parameter: grant_type'));
  if (duplicated.length) return reply(fail(400, 'invalid_request', 'duplicated parameter'));
  if (!['password', 'refresh_token', 'client_credentials', GRANT_DEVICE].includes(grant)) {
    return reply(fail(400, 'unsupported_grant_type', 'Unsupported grant_type'));
  }
  const ca = authenticateClient(form, req);
  if (!ca.client) return reply(ca);
  const { client } = ca;
  const k = { realm, client, iss: realm.issuerFor(req), signed: 0, user: null, session: null, scope: '' };

  const scopeOf = (requested) => {
    const want = (requested || '').split(/\s+/).filter(Boolean);
    const bad = want.filter((s) => s !== 'openid' && !DEFAULT_SCOPES.includes(s) && !OPTIONAL_SCOPES.has(s));
    if (bad.length) return { error: fail(400, 'invalid_scope', `Invalid scopes: ${want.join(' ')}`) };
    const out = want.includes('openid') ? ['openid'] : [];
    out.push(...DEFAULT_SCOPES, ...want.filter((s) => OPTIONAL_SCOPES.has(s)));
    return { scope: [...new Set(out)].join(' ') };
  };
  const newSession = (user, scope) => {
    const s = { sid: crypto.randomUUID(), user, client: client.clientId, started: now(), active: true, scope };
    realm.sessions.set(s.sid, s);
    return s;
  };
  let forward;

  if (grant === 'password') {
    if (!client.directGrants) {
      return reply(fail(400, 'unauthorized_client', 'Client not allowed for direct access grants'));
    }
    if (!form.username) return reply(fail(401, 'invalid_request', 'Missing parameter: username'));
    const user = users.get(form.username);
    if (!user || form.password === undefined || user.password !== form.password) {
      return reply(fail(401, 'invalid_grant', 'Invalid user credentials'));
    }
    if (!user.enabled) return reply(fail(400, 'invalid_grant', 'Account disabled'));
    if (user.requiredActions) return reply(fail(400, 'invalid_grant', 'Account is not fully set up'));
    const sc = scopeOf(form.scope);
    if (sc.error) return reply(sc.error);
    Object.assign(k, { user, scope: sc.scope, session: newSession(user, sc.scope) });
    forward = { grant_type: 'password', username: user.username, scope: sc.scope };
  } else if (grant === 'refresh_token') {
    if (!form.refresh_token) return reply(fail(400, 'invalid_request', 'No refresh token'));
    const rt = realm.decodeRefreshToken(form.refresh_token);
    if (!rt || (rt.typ !== 'Refresh' && rt.typ !== 'Offline')) {
      return reply(fail(400, 'invalid_grant', 'Invalid refresh token'));
    }
    if (rt.exp <= now()) return reply(fail(400, 'invalid_grant', 'Token is not active'));
    if (rt.azp !== client.clientId) {
      return reply(fail(400, 'invalid_grant', "Invalid refresh token. Token client and authorized client don't match"));
    }
    const session = realm.sessions.get(rt.sid);
    if (!session || !session.active) return reply(fail(400, 'invalid_grant', 'Session not active'));
    if (!session.user.enabled) return reply(fail(400, 'invalid_grant', 'User disabled'));
    if (cfg.revokeRefreshToken) {
      // TokenManager.validateTokenReuse with refreshTokenMaxReuse = 0, on millisecond clocks so that
      // tests within one second behave as Keycloak does across seconds.
      const issued = realm.refreshIssuedMs.get(rt.jti) ?? rt.iat * 1000;
      if (session.currentRefresh && rt.jti !== session.currentRefresh && issued < session.timestampMs) {
        return reply(fail(400, 'invalid_grant', 'Stale token'));
      }
      if (rt.jti !== session.currentRefresh) {
        session.currentRefresh = rt.jti;
        session.refreshUses = 0;
      }
      if (session.refreshUses > 0) {
        return reply(fail(400, 'invalid_grant', 'Maximum allowed refresh token reuse exceeded'));
      }
      session.refreshUses++;
      session.timestampMs = Date.now();
    }
    Object.assign(k, { user: session.user, scope: session.scope, session });
    forward = { grant_type: 'refresh_token', scope: session.scope };
  } else if (grant === 'client_credentials') {
    if (client.secret === null) {
      return reply(fail(401, 'unauthorized_client', 'Public client not allowed to retrieve service account'));
    }
    const sc = scopeOf(form.scope);
    if (sc.error) return reply(sc.error);
    k.scope = sc.scope.split(' ').filter((s) => s !== 'openid').join(' ');
    forward = { grant_type: 'client_credentials', scope: k.scope };
  } else {
    // Device grant, checks in Keycloak's order (DeviceGrantType).
    if (!Object.hasOwn(form, 'device_code')) {
      return reply(fail(400, 'invalid_request', 'Missing parameter: device_code'));
    }
    const d = realm.devices.get(form.device_code);
    if (!d || d.consumed) return reply(fail(400, 'invalid_grant', 'Device code not valid'));
    if (Date.now() >= d.expiresAt) return reply(fail(400, 'expired_token', 'Device code is expired'));
    if (d.clientId !== client.clientId) return reply(fail(400, 'invalid_grant', 'unauthorized client'));
    const t = Date.now();
    const tooSoon = d.lastPoll !== null && t - d.lastPoll < cfg.deviceInterval * 1000;
    d.lastPoll = t;
    if (tooSoon) {
      d.slowDowns++;
      return reply(fail(400, 'slow_down', 'Slow down'));
    }
    if (d.status === 'denied') {
      return reply(fail(400, 'access_denied', 'The end user denied the authorization request'));
    }
    if (d.status === 'pending') {
      return reply(fail(400, 'authorization_pending', 'The authorization request is still pending'));
    }
    d.consumed = true;
    Object.assign(k, { user: d.user, scope: d.scope, session: newSession(d.user, d.scope) });
    // oauth2-mock-server has no device grant: mint as a password grant, shape as Keycloak would.
    forward = { grant_type: 'password', username: d.user.username, scope: d.scope };
  }

  req.kms = k;
  req.body = forward;
  req.url = P.token;
  realm.service.requestHandler(req, res);
  return undefined;
}

// ---- device authorization endpoint ---------------------------------------------------------------
const USER_CODE_CHARS = 'BCDFGHJKLMNPQRSTVWXZ';
const userCode = () => {
  const c = Array.from(crypto.randomBytes(8), (b) => USER_CODE_CHARS[b % USER_CODE_CHARS.length]).join('');
  return `${c.slice(0, 4)}-${c.slice(4)}`;
};
const normUserCode = (s) => String(s || '').toUpperCase().replace(/[^A-Z]/g, '');

function deviceAuthorization(realm, req, res, form) {
  stats.device_authorization_requests++;
  const ca = authenticateClient(form, req);
  if (!ca.client) {
    return ca.body === null ? (res.writeHead(ca.status, ca.headers), res.end()) : sendJson(res, ca.status, ca.body);
  }
  const want = (form.scope || '').split(/\s+/).filter(Boolean);
  const scope = [...new Set([...(want.includes('openid') ? ['openid'] : []), ...DEFAULT_SCOPES,
    ...want.filter((s) => OPTIONAL_SCOPES.has(s))])].join(' ');
  const d = {
    deviceCode: b64u(crypto.randomBytes(32)), userCode: userCode(), clientId: ca.client.clientId, scope,
    expiresAt: Date.now() + cfg.deviceTtl * 1000, lastPoll: null, status: 'pending', user: null,
    consumed: false, slowDowns: 0,
  };
  realm.devices.set(d.deviceCode, d);
  const iss = realm.issuerFor(req);
  return sendJson(res, 200, {
    device_code: d.deviceCode,
    user_code: d.userCode,
    verification_uri: `${iss}/device`,
    verification_uri_complete: `${iss}/device?user_code=${d.userCode}`,
    expires_in: cfg.deviceTtl,
    interval: cfg.deviceInterval,
  }, { 'Cache-Control': 'no-store', Pragma: 'no-cache' });
}

// Test-only: what a user would do in the browser at verification_uri.
function deviceDecision(res, form) {
  const code = normUserCode(form.user_code);
  for (const realm of realms.values()) {
    for (const d of realm.devices.values()) {
      if (normUserCode(d.userCode) !== code || d.consumed) continue;
      if ((form.action || 'approve') === 'deny') {
        d.status = 'denied';
        return sendJson(res, 200, { ok: true, realm: realm.name, status: d.status });
      }
      const user = users.get(form.username);
      if (!user) return sendJson(res, 400, { error: `unknown user ${JSON.stringify(form.username)}` });
      d.status = 'approved';
      d.user = user;
      return sendJson(res, 200, { ok: true, realm: realm.name, status: d.status });
    }
  }
  return sendJson(res, 404, { error: 'no pending device authorization with that user_code' });
}

// ---- revoke / logout / userinfo / introspect ------------------------------------------------------
function killSessionOf(realm, token, clientId) {
  const rt = realm.decodeRefreshToken(token);
  if (!rt) return false;
  if (clientId && rt.azp !== clientId) return false;
  const s = realm.sessions.get(rt.sid);
  if (s) s.active = false;
  return true;
}

async function revoke(realm, req, res, form) {
  stats.revoke_requests++;
  const ca = authenticateClient(form, req);
  if (!ca.client) return ca.body === null ? (res.writeHead(ca.status, ca.headers), res.end()) : sendJson(res, ca.status, ca.body);
  if (!form.token) return sendJson(res, 400, { error: 'invalid_request', error_description: 'Token not provided' });
  if (!killSessionOf(realm, form.token, ca.client.clientId)) {
    const at = await realm.verifyAccessToken(form.token);
    if (at && at.azp === ca.client.clientId) realm.revokedAccess.add(at.jti);
  }
  res.writeHead(200, { 'Cache-Control': 'no-store', Pragma: 'no-cache', 'Content-Length': 0 });
  return res.end();
}

function logout(realm, req, res, form) {
  stats.logout_requests++;
  const ca = authenticateClient(form, req);
  if (!ca.client) return ca.body === null ? (res.writeHead(ca.status, ca.headers), res.end()) : sendJson(res, ca.status, ca.body);
  if (!form.refresh_token) return sendJson(res, 400, { error: 'invalid_request', error_description: 'No refresh token' });
  if (!killSessionOf(realm, form.refresh_token, ca.client.clientId)) {
    return sendJson(res, 400, { error: 'invalid_grant', error_description: 'Invalid refresh token' });
  }
  res.writeHead(204);
  return res.end();
}

async function userinfo(realm, req, res, form) {
  stats.userinfo_requests++;
  const m = /^bearer\s+(\S+)$/i.exec(req.headers.authorization || '');
  const token = m ? m[1] : form.access_token;
  const challenge = (desc) => {
    res.writeHead(401, {
      'WWW-Authenticate': `Bearer realm="${realm.name}", error="invalid_token", error_description="${desc}"`,
      'Content-Type': 'application/json',
    });
    res.end(JSON.stringify({ error: 'invalid_token', error_description: desc }));
  };
  if (!token) return challenge('Token not provided');
  const at = await realm.verifyAccessToken(token);
  if (!at || at.exp <= now()) return challenge('Token verification failed');
  return sendJson(res, 200, {
    sub: at.sub, email_verified: at.email_verified ?? false, preferred_username: at.preferred_username,
  });
}

async function introspect(realm, req, res, form) {
  stats.introspect_requests++;
  const ca = authenticateClient(form, req);
  if (!ca.client) return ca.body === null ? (res.writeHead(ca.status, ca.headers), res.end()) : sendJson(res, ca.status, ca.body);
  if (ca.client.secret === null) {
    return sendJson(res, 401, { error: 'invalid_request', error_description: 'Client not allowed.' });
  }
  if (!form.token) return sendJson(res, 400, { error: 'invalid_request', error_description: 'Token not provided.' });
  const at = await realm.verifyAccessToken(form.token);
  if (!at || at.exp <= now()) return sendJson(res, 200, { active: false });
  return sendJson(res, 200, { ...at, client_id: at.azp, username: at.preferred_username, token_type: 'Bearer', active: true });
}

// ---- routing ------------------------------------------------------------------------------------
const realmNames = flags.realm?.length ? flags.realm : ['test'];
const realms = new Map(realmNames.map((n) => [n, new Realm(n)]));
let boundPort = 0;

function realmInfo(realm, req, res) {
  stats.realm_info_requests++;
  const iss = realm.issuerFor(req);
  sendJson(res, 200, {
    realm: realm.name, public_key: realm.publicKeyB64, 'token-service': `${iss}${KC}`,
    'account-service': `${iss}/account`, 'tokens-not-before': 0,
  });
}

async function handle(req, res) {
  const url = new URL(req.url, 'http://x');
  const p = url.pathname;
  log(cfg.verbose, NAME, `${req.method} ${req.url}`);

  // Test-only controls, outside any realm.
  if (p === '/__mock/stats' && req.method === 'GET') return sendJson(res, 200, stats);
  if (p === '/__mock/reset' && req.method === 'POST') { resetStats(); return sendJson(res, 200, stats); }
  if (p === '/__mock/device/approve' && req.method === 'POST') {
    return deviceDecision(res, parseForm(await readBody(req)).form);
  }
  if (p === '/__mock/device/deny' && req.method === 'POST') {
    return deviceDecision(res, { ...parseForm(await readBody(req)).form, action: 'deny' });
  }

  const realmsRoot = `${cfg.prefix}/realms/`;
  if (!p.startsWith(realmsRoot)) {
    return sendJson(res, 404, { error: 'Unable to find matching target resource method' });
  }
  const rest = p.slice(realmsRoot.length);
  const slash = rest.indexOf('/');
  const name = decodeURIComponent(slash < 0 ? rest : rest.slice(0, slash));
  if (!name) return sendJson(res, 404, { error: 'Unable to find matching target resource method' });
  const realm = realms.get(name);
  if (!realm) return sendJson(res, 404, { error: 'Realm does not exist' });
  let sub = slash < 0 ? '' : rest.slice(slash);
  if (sub.length > 1 && sub.endsWith('/')) sub = sub.slice(0, -1); // Keycloak strips one trailing slash

  const GET = req.method === 'GET';
  const POST = req.method === 'POST';
  if (sub === '' && GET) return realmInfo(realm, req, res);
  if (sub === '/.well-known/openid-configuration' && GET) {
    stats.discovery_requests++;
    return sendJson(res, 200, realm.discovery(realm.issuerFor(req)), {
      'Cache-Control': 'no-cache, must-revalidate, no-transform, no-store',
    });
  }
  if (sub === P.certs && GET) {
    stats.jwks_requests++;
    req.url = P.certs;
    return realm.service.requestHandler(req, res);
  }
  if (sub === P.auth && GET) {
    req.url = `${P.auth}${url.search}`;
    return realm.service.requestHandler(req, res);
  }
  if (sub === '/device' && GET) {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    return res.end('<!doctype html><title>Device Login</title><p>keycloak-mock: approve with POST /__mock/device/approve (user_code, username)</p>\n');
  }
  if (sub === P.logout && GET) {
    if (url.searchParams.get('post_logout_redirect_uri')) {
      req.url = `${P.logout}${url.search}`;
      return realm.service.requestHandler(req, res);
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    return res.end('<!doctype html><title>Logging out</title><p>You are logged out</p>\n');
  }
  if (sub === P.userinfo && GET) return userinfo(realm, req, res, {});

  const known = [P.token, P.device, P.revoke, P.logout, P.userinfo, P.introspect];
  if (!known.includes(sub)) return sendJson(res, 404, { error: 'HTTP 404 Not Found' });
  if (!POST) return sendJson(res, 404, { error: 'HTTP 404 Not Found' });

  // Keycloak's token endpoints read form parameters only; anything else reads as an empty form.
  const buf = await readBody(req);
  const { form, duplicated } = isForm(req) ? parseForm(buf) : { form: {}, duplicated: [] };
  switch (sub) {
    case P.token: return tokenEndpoint(realm, req, res, form, duplicated);
    case P.device: return deviceAuthorization(realm, req, res, form);
    case P.revoke: return revoke(realm, req, res, form);
    case P.logout: return logout(realm, req, res, form);
    case P.userinfo: return userinfo(realm, req, res, form);
    default: return introspect(realm, req, res, form);
  }
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((e) => {
    process.stderr.write(`${NAME}: ${e.stack || e}\n`);
    if (!res.headersSent) sendJson(res, e.status || 500, { error: 'unknown_error' });
    else res.destroy();
  });
});

await Promise.all([...realms.values()].map((r) => r.init()));
boundPort = await listen(server, cfg.port);
for (const r of realms.values()) r.issuer.url = `http://127.0.0.1:${boundPort}${r.base}`;
exitCleanlyOnSignals([server], NAME);
writePortFile(flags['port-file'], boundPort);
process.stderr.write(`${NAME}: listening on http://127.0.0.1:${boundPort}, issuers: ${[...realms.values()].map((r) => r.issuer.url).join(' ')}\n`);
