#!/usr/bin/env node
// Checks Kubernetes manifests against the official schemas shipped by the npm packages
// kubernetes-models, @kubernetes-models/gateway-api and @kubernetes-models/istio.
//
// Usage: node validate.mjs [--strict] [--quiet] FILE|DIR|- ...
//
//   FILE  multi-document YAML, or JSON (one object, or a `v1 List` with `items`); `-` is stdin.
//   DIR   every *.yaml, *.yml and *.json below it (sorted, recursively; hidden entries and
//         node_modules are left out). A kustomization.yaml (.yml, Kustomization) is not validated
//         as an object, but every path it lists must exist; files it lists as patches or
//         generator inputs are partial objects or data and are not validated either.
//
// One line per object on stdout:
//   ok FILE#INDEX apiVersion/kind name
//   FAIL FILE#INDEX apiVersion/kind name: PATH: MESSAGE[; PATH: MESSAGE ...]
//   skipped FILE#INDEX apiVersion/kind name (no model)      (FAIL with --strict)
//   ERROR FILE: MESSAGE                                      (unreadable file, YAML/JSON syntax)
// INDEX counts the objects of a file from 0 (documents in order, the items of a List flattened).
// PATH is the field path in kubectl's style: spec.template.spec.containers[0].name.
// A summary goes to stderr. Exit status: 0 nothing failed, 1 some object failed, 2 usage or
// parse error (an ERROR line, a missing argument path).
//
// What is checked: the model's own validate() (types, required fields, enums, patterns, formats
// such as quantities and int-or-string, CRD min/max constraints), plus unknown fields: the models
// do not reject properties their schema does not declare, but the API server does under strict
// field validation, so this script does too (see the tracer below).
// YAML is read the way kubectl reads it (YAML 1.1 scalars as in go-yaml v2: yes/no/on/off/y/n are
// booleans, 0755 is octal, timestamps stay strings); duplicate keys are errors.

import fs from "node:fs";
import path from "node:path";

// The packages live in node_modules beside this file, installed by `npm ci` (scripts/setup.sh).
// Check them first: a missing package must not turn every object into "skipped (no model)".
const REQUIRED = ["yaml", "kubernetes-models/apps/v1/Deployment",
  "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute",
  "@kubernetes-models/istio/networking.istio.io/v1/VirtualService"];
for (const spec of REQUIRED) {
  try {
    import.meta.resolve(spec);
  } catch {
    process.stderr.write(`validate: npm package for "${spec}" is not installed in ` +
      `${path.join(path.dirname(new URL(import.meta.url).pathname), "node_modules")}: run scripts/setup.sh first\n`);
    process.exit(2);
  }
}
const { default: YAML } = await import("yaml");

const USAGE = "usage: node validate.mjs [--strict] [--quiet] FILE|DIR|- ...";

// ---------------------------------------------------------------- model lookup

const NAME_RE = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const VERSION_RE = /^v[0-9]+((alpha|beta)[0-9]+)?$/;
const KIND_RE = /^[A-Z][A-Za-z0-9]*$/;

/**
 * Where the models of an API group live: {pkg, groupSpec} (groupSpec is the package subpath of
 * the group, "" for the core group), or null when the apiVersion is malformed.
 */
function packageFor(apiVersion) {
  const parts = String(apiVersion).split("/");
  const [group, version] = parts.length === 1 ? ["", parts[0]] : parts;
  if (parts.length > 2 || !version || (group && !NAME_RE.test(group))) return null;
  let pkg = "kubernetes-models";
  if (group === "gateway.networking.k8s.io") pkg = "@kubernetes-models/gateway-api";
  else if (group.endsWith(".istio.io")) pkg = "@kubernetes-models/istio";
  return { pkg, group, version, groupSpec: group ? `${pkg}/${group}` : "" };
}

function resolves(spec) {
  try {
    return fs.existsSync(new URL(import.meta.resolve(spec)));
  } catch (e) {
    if (e?.code === "ERR_PACKAGE_PATH_NOT_EXPORTED" || e?.code === "ERR_MODULE_NOT_FOUND") return false;
    throw e;
  }
}

const modelCache = new Map();

/**
 * The model for apiVersion + kind: {cls} when a package defines it; {cls: null, covered: PKG} when
 * the API group is one a package models but this version/kind is not in it (a typo, or an API
 * that does not exist); {cls: null} when no package models the group at all (a third-party CRD);
 * {cls: null, malformed: true} when apiVersion is not GROUP/VERSION or VERSION.
 */
async function modelFor(apiVersion, kind) {
  const key = `${apiVersion} ${kind}`;
  if (modelCache.has(key)) return modelCache.get(key);
  const where = packageFor(apiVersion);
  let result = { cls: null, covered: null, malformed: !where };
  if (where) {
    // The core group is always covered; another group when the package has a folder for it.
    const covered = !where.groupSpec || resolves(`${where.groupSpec}`);
    if (covered) result.covered = where.pkg;
    const spec = `${where.groupSpec || where.pkg}/${where.version}/${kind}`;
    // The subpath patterns ("./apps/v1/*") accept any name, so resolves() checks the file exists.
    if (covered && VERSION_RE.test(where.version) && KIND_RE.test(kind) && resolves(spec)) {
      const c = (await import(spec))[kind];
      if (typeof c === "function" && c.apiVersion === apiVersion && c.kind === kind) result = { cls: c };
    }
  }
  modelCache.set(key, result);
  return result;
}

// ---------------------------------------------------------------- unknown-field tracer
//
// The packages ship their schemas only as ajv "standalone" code, compiled from the OpenAPI/CRD
// schemas, not as JSON. That code reads `data.<name>` for every property the schema declares at an
// object (whether present or not), and enumerates the keys (for..in) of maps, i.e. objects whose
// schema has additionalProperties. So we hand the validator a tree of read-recording proxies: at
// every object the validator descended into, a key it never asked for is a field the schema does
// not declare. Objects it neither read nor enumerated are free-form (`type: object` without
// properties, x-kubernetes-preserve-unknown-fields) and are not checked; neither is an object whose
// own type check failed (that error is reported already).

function traceValidate(model) {
  const infos = [];
  const proxies = new WeakMap();
  const wrap = (value, at) => {
    if (value === null || typeof value !== "object") return value;
    const known = proxies.get(value);
    if (known) return known;
    const info = { target: value, at, reads: new Set(), enumerated: false, array: Array.isArray(value) };
    infos.push(info);
    const proxy = new Proxy(value, {
      get(t, k, receiver) {
        const v = Reflect.get(t, k, receiver);
        if (typeof k !== "string") return v;
        info.reads.add(k);
        if (!Object.prototype.hasOwnProperty.call(t, k)) return v;
        return wrap(v, [...at, info.array ? Number(k) : k]);
      },
      has(t, k) {
        if (typeof k === "string") info.reads.add(k);
        return Reflect.has(t, k);
      },
      ownKeys(t) {
        info.enumerated = true;
        return Reflect.ownKeys(t);
      },
    });
    proxies.set(value, proxy);
    return proxy;
  };

  const errors = [];
  try {
    model.validate.call(wrap(model, []));
  } catch (e) {
    if (!Array.isArray(e?.errors)) throw e;
    errors.push(...mergeAlternatives(e.errors.map(describeAjvError)));
  }
  for (const info of infos) {
    if (info.array || info.enumerated || info.reads.size === 0) continue;
    for (const k of Object.keys(info.target)) {
      if (!info.reads.has(k)) errors.push({ at: fieldPath([...info.at, k]), msg: "unknown field (not declared in the schema)" });
    }
  }
  return dedupe(errors);
}

/**
 * An int-or-string or quantity field fails each branch of its oneOf and then the oneOf itself;
 * print that as one problem: `port: must match one of: must be string | must be integer`.
 */
function mergeAlternatives(errors) {
  const alt = new Set(errors.filter((e) => e.alternative).map((e) => e.at));
  const out = [];
  const merged = new Map();
  for (const e of errors) {
    if (!alt.has(e.at)) { out.push(e); continue; }
    let m = merged.get(e.at);
    if (!m) { m = { at: e.at, branches: [], several: false }; merged.set(e.at, m); out.push(m); }
    if (e.several) m.several = true;
    if (!e.alternative && !m.branches.includes(e.msg)) m.branches.push(e.msg);
  }
  for (const m of merged.values()) {
    if (m.several) m.msg = "sets more than one of a group of mutually exclusive fields (matches several oneOf alternatives)";
    else if (m.branches.length) m.msg = `must match one of: ${m.branches.join(" | ")}`;
    else m.msg = "must match exactly one schema in oneOf";
  }
  return out;
}

function dedupe(errors) {
  const seen = new Set();
  const out = [];
  for (const e of errors) {
    const line = `${e.at}: ${e.msg}`;
    if (!seen.has(line)) { seen.add(line); out.push(line); }
  }
  return out;
}

/** ajv's instancePath (a JSON pointer) as kubectl prints field paths: a.b[0]["x.y"]. */
function pointerToPath(ptr) {
  if (!ptr) return [];
  return ptr.split("/").slice(1).map((s) => {
    const k = s.replace(/~1/g, "/").replace(/~0/g, "~");
    return /^(0|[1-9][0-9]*)$/.test(k) ? Number(k) : k;
  });
}

function fieldPath(segs) {
  let out = "";
  for (const s of segs) {
    if (typeof s === "number") out += `[${s}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out || "(root)";
}

function describeAjvError(err) {
  const p = err.params || {};
  let msg;
  switch (err.keyword) {
    case "required": msg = "required field is missing"; break;
    case "type": msg = `must be ${p.type}`; break;
    case "enum": msg = `must be one of ${(p.allowedValues || []).map((v) => JSON.stringify(v)).join(", ")}`; break;
    case "const": msg = `must be ${JSON.stringify(p.allowedValue)}`; break;
    case "format": msg = `must match format "${p.format}"`; break;
    case "pattern": msg = `must match pattern ${p.pattern}`; break;
    case "additionalProperties": msg = "unknown field (not declared in the schema)"; break;
    case "oneOf": case "anyOf": msg = `must match ${err.keyword === "oneOf" ? "exactly one" : "a"} schema in ${err.keyword}`; break;
    case "minimum": case "maximum": case "exclusiveMinimum": case "exclusiveMaximum":
      msg = `must be ${{ minimum: ">=", maximum: "<=", exclusiveMinimum: ">", exclusiveMaximum: "<" }[err.keyword]} ${p.limit}`;
      break;
    default: msg = err.message || `fails "${err.keyword}" ${JSON.stringify(p)}`;
  }
  const segs = pointerToPath(err.instancePath);
  if (err.keyword === "additionalProperties") segs.push(p.additionalProperty);
  if (err.keyword === "required") segs.push(p.missingProperty);
  return {
    at: fieldPath(segs), msg,
    alternative: err.keyword === "oneOf" || err.keyword === "anyOf",
    several: err.keyword === "oneOf" && Array.isArray(p.passingSchemas),
  };
}

// ---------------------------------------------------------------- reading files

// YAML 1.1 as go-yaml v2 (kubectl, sigs.k8s.io/yaml) reads it: yes/no/on/off/y/n booleans, 0755
// octal, 1_000 ints; but no sexagesimal numbers and no timestamps (they stay strings).
const YAML_OPTS = {
  version: "1.1",
  uniqueKeys: true,
  customTags: (tags) => tags.filter((t) => t.tag !== "tag:yaml.org,2002:timestamp" && t.format !== "TIME"),
};

class ParseError extends Error {}

function firstLine(s) {
  return String(s).split("\n")[0].replace(/:$/, "");
}

/** The objects in one file's text: [{value, doc}] in order. Throws ParseError. */
function parseText(text, isJson) {
  let values;
  if (isJson) {
    try {
      values = [JSON.parse(text)];
    } catch (e) {
      throw new ParseError(`invalid JSON: ${e.message}`);
    }
    // JSON.parse keeps the last of duplicate keys silently; the API server rejects them.
    const dup = YAML.parseDocument(text, { version: "1.2", uniqueKeys: true }).errors.find((e) => e.code === "DUPLICATE_KEY");
    if (dup) throw new ParseError(`duplicate key: ${firstLine(dup.message)}`);
  } else {
    const docs = YAML.parseAllDocuments(text, YAML_OPTS);
    if (!Array.isArray(docs)) throw new ParseError("invalid YAML");
    values = [];
    for (const doc of docs) {
      const err = doc.errors[0];
      if (err) throw new ParseError(`invalid YAML: ${firstLine(err.message)}`);
      values.push(doc.toJS({ maxAliasCount: 1000 }));
    }
  }
  const objs = [];
  for (const v of values) {
    if (v === null || v === undefined) continue; // empty document
    if (isPlainObject(v) && v.apiVersion === "v1" && v.kind === "List") {
      if (!Array.isArray(v.items)) throw new ParseError("v1 List without an items array");
      objs.push(...v.items);
    } else {
      objs.push(v);
    }
  }
  return objs;
}

function isPlainObject(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

const KUSTOMIZATION_NAMES = new Set(["kustomization.yaml", "kustomization.yml", "Kustomization"]);
const MANIFEST_RE = /\.(ya?ml|json)$/i;

/** Paths a kustomization lists: {resources: [...], other: [...]} as [field, relative path]. */
function kustomizationRefs(k) {
  const resources = [];
  const other = [];
  const str = (v) => typeof v === "string";
  const isRemote = (p) => /^[a-z][a-z0-9+.-]*:\/\//i.test(p) || /^(github\.com|gitlab\.com|bitbucket\.org)\//.test(p) || /^git@/.test(p) || p.includes("?ref=");
  const list = (field, into, pick = (x) => x) => {
    const v = k[field];
    if (!Array.isArray(v)) return;
    v.forEach((item, i) => {
      const p = pick(item);
      if (str(p) && p && !isRemote(p)) into.push([`${field}[${i}]`, p]);
    });
  };
  list("resources", resources);
  list("bases", resources);
  list("components", resources);
  list("crds", other);
  list("patchesStrategicMerge", other, (x) => (str(x) && !x.includes("\n") ? x : null));
  list("patches", other, (x) => (isPlainObject(x) ? x.path : null));
  list("patchesJson6902", other, (x) => (isPlainObject(x) ? x.path : null));
  list("transformers", other, (x) => (str(x) && !x.includes("\n") ? x : null));
  list("generators", other, (x) => (str(x) && !x.includes("\n") ? x : null));
  for (const gen of ["configMapGenerator", "secretGenerator"]) {
    if (!Array.isArray(k[gen])) continue;
    k[gen].forEach((g, i) => {
      if (!isPlainObject(g)) return;
      (Array.isArray(g.files) ? g.files : []).forEach((f, j) => {
        if (str(f)) other.push([`${gen}[${i}].files[${j}]`, f.includes("=") ? f.slice(f.indexOf("=") + 1) : f]);
      });
      (Array.isArray(g.envs) ? g.envs : []).forEach((f, j) => { if (str(f)) other.push([`${gen}[${i}].envs[${j}]`, f]); });
      if (str(g.env)) other.push([`${gen}[${i}].env`, g.env]);
    });
  }
  return { resources, other };
}

// ---------------------------------------------------------------- main

function objectLabel(obj) {
  if (!isPlainObject(obj)) return { id: "?/?", name: "-" };
  const av = typeof obj.apiVersion === "string" && obj.apiVersion ? obj.apiVersion : "?";
  const kind = typeof obj.kind === "string" && obj.kind ? obj.kind : "?";
  const name = isPlainObject(obj.metadata) && typeof obj.metadata.name === "string" && obj.metadata.name
    ? obj.metadata.name
    : isPlainObject(obj.metadata) && typeof obj.metadata.generateName === "string" ? `${obj.metadata.generateName}*` : "-";
  return { id: `${av}/${kind}`, name };
}

async function main(argv) {
  let strict = false;
  let quiet = false;
  const inputs = [];
  let opts = true;
  for (const a of argv) {
    if (opts && a === "--") opts = false;
    else if (opts && a === "--strict") strict = true;
    else if (opts && (a === "--quiet" || a === "-q")) quiet = true;
    else if (opts && (a === "-h" || a === "--help")) { process.stdout.write(`${USAGE}\n`); return 0; }
    else if (opts && a.startsWith("-") && a !== "-") { process.stderr.write(`validate: unknown option ${a}\n${USAGE}\n`); return 2; }
    else inputs.push(a);
  }
  if (inputs.length === 0) { process.stderr.write(`${USAGE}\n`); return 2; }

  const counts = { ok: 0, failed: 0, skipped: 0, errors: 0, files: 0 };
  const out = [];
  const emit = (line) => { out.push(line); if (out.length >= 256) flush(); };
  const flush = () => { if (out.length) { process.stdout.write(out.join("\n") + "\n"); out.length = 0; } };
  const error = (file, msg) => { counts.errors++; emit(`ERROR ${file}: ${msg}`); };

  async function checkObject(file, index, obj) {
    const { id, name } = objectLabel(obj);
    const where = `${file}#${index} ${id} ${name}`;
    if (!isPlainObject(obj)) { counts.failed++; emit(`FAIL ${where}: (root): not a Kubernetes object (a ${Array.isArray(obj) ? "list" : typeof obj})`); return; }
    if (typeof obj.apiVersion !== "string" || typeof obj.kind !== "string" || !obj.apiVersion || !obj.kind) {
      counts.failed++;
      emit(`FAIL ${where}: (root): apiVersion and kind must be non-empty strings`);
      return;
    }
    const { cls: Model, covered, malformed } = await modelFor(obj.apiVersion, obj.kind);
    if (malformed) {
      counts.failed++;
      emit(`FAIL ${where}: apiVersion: must be GROUP/VERSION or VERSION`);
      return;
    }
    if (!Model && covered) {
      counts.failed++;
      emit(`FAIL ${where}: (root): ${covered} has no model for ${obj.apiVersion} ${obj.kind} (no such apiVersion/kind)`);
      return;
    }
    if (!Model) {
      if (strict) { counts.failed++; emit(`FAIL ${where}: skipped (no model), and --strict is set`); }
      else { counts.skipped++; emit(`skipped ${where} (no model)`); }
      return;
    }
    const problems = traceValidate(new Model(obj));
    if (problems.length) { counts.failed++; emit(`FAIL ${where}: ${problems.join("; ")}`); }
    else { counts.ok++; if (!quiet) emit(`ok ${where}`); }
  }

  async function checkText(file, text, isJson) {
    counts.files++;
    let objs;
    try {
      objs = parseText(text, isJson);
    } catch (e) {
      if (e instanceof ParseError) { error(file, e.message); return; }
      throw e;
    }
    for (let i = 0; i < objs.length; i++) await checkObject(file, i, objs[i]);
  }

  async function checkFile(file) {
    let text;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (e) {
      error(file, e.code === "ENOENT" ? "no such file or directory" : e.message);
      return;
    }
    if (KUSTOMIZATION_NAMES.has(path.basename(file))) { checkKustomization(file, text); return; }
    await checkText(file, text, /\.json$/i.test(file));
  }

  /** Checks that the files a kustomization lists exist; returns the ones not to validate. */
  function checkKustomization(file, text) {
    counts.files++;
    let k;
    try {
      const objs = parseText(text, false);
      k = objs[0];
    } catch (e) {
      if (e instanceof ParseError) { error(file, e.message); return []; }
      throw e;
    }
    const { id, name } = objectLabel(k);
    if (!isPlainObject(k)) { counts.failed++; emit(`FAIL ${file}#0 ${id} ${name}: (root): not a kustomization`); return []; }
    const dir = path.dirname(file);
    const { resources, other } = kustomizationRefs(k);
    const missing = [...resources, ...other].filter(([, p]) => !fs.existsSync(path.resolve(dir, p)));
    if (missing.length) {
      counts.failed++;
      emit(`FAIL ${file}#0 ${id} ${name}: ${missing.map(([f, p]) => `${f}: listed file ${JSON.stringify(p)} does not exist`).join("; ")}`);
    }
    return other.map(([, p]) => path.resolve(dir, p));
  }

  async function checkDir(dir) {
    const entries = fs.readdirSync(dir, { withFileTypes: true })
      .filter((e) => !e.name.startsWith(".") && e.name !== "node_modules")
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    let excluded = new Set();
    for (const e of entries) {
      if (e.isFile() && KUSTOMIZATION_NAMES.has(e.name)) {
        const p = path.join(dir, e.name);
        let text;
        try { text = fs.readFileSync(p, "utf8"); } catch (err) { error(p, err.message); continue; }
        for (const x of checkKustomization(p, text)) excluded.add(x);
      }
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await checkDir(p);
      else if (e.isFile() && MANIFEST_RE.test(e.name) && !KUSTOMIZATION_NAMES.has(e.name) && !excluded.has(path.resolve(p))) {
        await checkFile(p);
      }
    }
  }

  for (const input of inputs) {
    if (input === "-") { await checkText("-", fs.readFileSync(0, "utf8"), false); continue; }
    let st;
    try { st = fs.statSync(input); } catch { error(input, "no such file or directory"); continue; }
    if (st.isDirectory()) await checkDir(input);
    else await checkFile(input);
  }
  flush();
  process.stderr.write(`validate: ${counts.ok} ok, ${counts.failed} failed, ${counts.skipped} skipped (no model)` +
    `${counts.errors ? `, ${counts.errors} unreadable` : ""} in ${counts.files} file(s)\n`);
  if (counts.errors) return 2;
  return counts.failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e) => { process.stderr.write(`validate: internal error: ${e?.stack || e}\n`); process.exitCode = 2; },
);
