// Checks service files against kubectl-microservice's JSON Schema (the `schema` verb's output),
// the way an editor with yaml-language-server would.
// Usage: node validate_schema.mjs SCHEMA.json FILE...
// Prints "ok FILE" or "FAIL FILE: <path> <message>" per file; exit 0 only when all pass.
import fs from "node:fs";
import Ajv from "ajv";
import YAML from "yaml";

const [schemaPath, ...files] = process.argv.slice(2);
if (!schemaPath || files.length === 0) {
  console.error("usage: node validate_schema.mjs SCHEMA.json FILE...");
  process.exit(2);
}
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaPath, "utf8")));
let failed = 0;
for (const file of files) {
  let docs;
  try {
    docs = YAML.parseAllDocuments(fs.readFileSync(file, "utf8"), { version: "1.1" }).map((d) => {
      if (d.errors.length) throw d.errors[0];
      return d.toJS();
    });
  } catch (e) {
    console.log(`FAIL ${file}: invalid YAML: ${e.message.split("\n")[0]}`);
    failed++;
    continue;
  }
  const errors = [];
  for (const doc of docs.filter((d) => d !== null)) {
    if (!validate(doc)) {
      for (const e of validate.errors) errors.push(`${e.instancePath || "/"} ${e.message}`);
    }
  }
  if (errors.length) {
    failed++;
    console.log(`FAIL ${file}: ${errors.join("; ")}`);
  } else {
    console.log(`ok ${file}`);
  }
}
process.exit(failed ? 1 : 0);
