// Shared plumbing for the loopback OIDC test servers: flag parsing, port files,
// request bodies and a clean shutdown. Test-only code; never shipped.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

export const HOST = '127.0.0.1';

// parseArgs wrapper that prints usage and exits 2 on a bad flag, like a CLI.
export function parseFlags(name, usage, options) {
  try {
    const { values } = parseArgs({ options: { ...options, help: { type: 'boolean' } }, strict: true });
    if (values.help) {
      process.stdout.write(usage);
      process.exit(0);
    }
    return values;
  } catch (e) {
    process.stderr.write(`${name}: ${e.message}\n${usage}`);
    process.exit(2);
  }
}

export function intFlag(name, value, def, { min = 0 } = {}) {
  if (value === undefined) return def;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`--${name} must be an integer >= ${min}, got ${JSON.stringify(value)}\n`);
    process.exit(2);
  }
  return n;
}

// Writes the bound port atomically (temp file + rename) so a reader never sees a partial file.
export function writePortFile(file, port) {
  if (!file) return;
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, `${port}\n`);
  fs.renameSync(tmp, file);
}

// Listens on 127.0.0.1 only; resolves with the bound port.
export function listen(server, port) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => resolve(server.address().port));
  });
}

// SIGTERM/SIGINT: stop accepting, drop keep-alive sockets, exit 0.
export function exitCleanlyOnSignals(servers, name) {
  let stopping = false;
  const stop = (sig) => {
    if (stopping) return;
    stopping = true;
    if (process.env.KMS_OIDC_VERBOSE) process.stderr.write(`${name}: ${sig}, shutting down\n`);
    const timer = setTimeout(() => process.exit(0), 2000);
    timer.unref();
    let open = servers.length;
    for (const s of servers) {
      s.close(() => { if (--open === 0) process.exit(0); });
      s.closeAllConnections?.();
    }
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // The parent test died (stdin is a pipe it held): do not outlive it.
  if (process.env.KMS_OIDC_EXIT_WITH_STDIN) {
    process.stdin.on('end', () => stop('stdin closed'));
    process.stdin.on('error', () => stop('stdin error'));
    process.stdin.resume();
  }
}

// Reads the whole request body (bounded) into a Buffer.
export function readBody(req, limit = 1 << 20) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > limit) {
        reject(Object.assign(new Error('request body too large'), { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

// Form decoding that also reports repeated keys (Keycloak rejects them).
export function parseForm(buf) {
  const params = new URLSearchParams(buf.toString('utf8'));
  const form = {};
  const duplicated = [];
  for (const [k, v] of params) {
    if (Object.hasOwn(form, k)) duplicated.push(k);
    else form[k] = v;
  }
  return { form, duplicated };
}

export function isForm(req) {
  return /^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] || '');
}

export function sendJson(res, status, body, headers = {}) {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': data.length, ...headers });
  res.end(data);
}

export function log(verbose, name, msg) {
  if (verbose) process.stderr.write(`${name}: ${msg}\n`);
}
