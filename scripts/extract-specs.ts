/**
 * Extracts, from the official OpenAPI files, the structure (no prose, no examples) of the operations
 * this project uses, so that tests can validate our requests and our simulators' responses against
 * the vendors' own schemas without reading anything outside the project at run time.
 *
 * Sources (kept in the steering repository's shared/reference/specs):
 *   - moysklad-remap-1.2.openapi.yaml: MoySklad JSON API 1.2, bundled from
 *     github.com/moysklad/api-remap-1.2-openapi-specification
 *   - betapro-fbox.openapi.yaml: BetaPRO "FBox API" 0.1.0, github.com/BetaproRep/FboxLK docs/openapi.yaml
 *
 * Usage: npm run specs:extract [-- <dir containing the two yaml files>]  (default ../shared/reference/specs)
 * Input lists: test/specs/<name>.operations.json  ->  output: test/specs/<name>.schemas.json
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const SPECS: Record<string, { file: string; source: string }> = {
  moysklad: {
    file: 'moysklad-remap-1.2.openapi.yaml',
    source: 'MoySklad JSON API 1.2 OpenAPI (github.com/moysklad/api-remap-1.2-openapi-specification)',
  },
  betapro: {
    file: 'betapro-fbox.openapi.yaml',
    source: 'BetaPRO FBox API 0.1.0 OpenAPI (github.com/BetaproRep/FboxLK, docs/openapi.yaml)',
  },
};

/** Keys that carry prose or samples; dropped so that only structure is kept. */
const PROSE_KEYS = new Set(['description', 'summary', 'example', 'examples', 'x-logo', 'externalDocs', 'tags', 'title']);

function stripProse(value: Json, parentKey?: string): Json {
  if (Array.isArray(value)) return value.map((item) => stripProse(item));
  if (value && typeof value === 'object') {
    const out: JsonObject = {};
    // OpenAPI 3.0 writes exclusive bounds the draft-04 way (`minimum: 0, exclusiveMinimum: true`); the
    // validators compile draft-07, where the bound itself is the value. Same meaning, other spelling.
    if (parentKey !== 'properties') {
      for (const [flag, bound] of [
        ['exclusiveMinimum', 'minimum'],
        ['exclusiveMaximum', 'maximum'],
      ] as const) {
        if (typeof value[flag] === 'boolean') {
          value = { ...value };
          if (value[flag] === true && typeof value[bound] === 'number') {
            value[flag] = value[bound];
            delete value[bound];
          } else delete value[flag];
        }
      }
    }
    // `nullable` beside a `$ref` and no `type` (Task.operation, Task.implementer) is OpenAPI 3.0's way of
    // saying "this object or null"; the validators' ajv refuses `nullable` without `type`. Same meaning:
    if (parentKey !== 'properties' && value.nullable === true && typeof value.$ref === 'string' && value.type === undefined) {
      return { anyOf: [{ $ref: value.$ref }, { type: 'null' }] };
    }
    for (const [key, child] of Object.entries(value)) {
      // `properties` maps field names to schemas: a field may be called "description" or "title".
      if (parentKey !== 'properties' && PROSE_KEYS.has(key)) continue;
      out[key] = stripProse(child, key);
    }
    return out;
  }
  return value;
}

function collectRefs(value: Json, refs: Set<string>): void {
  if (Array.isArray(value)) value.forEach((item) => collectRefs(item, refs));
  else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string') refs.add(localRef(child));
      else collectRefs(child, refs);
    }
  }
}

/** The bundled MoySklad spec still has refs like `../../../openapi.yaml#/components/...` to itself. */
function localRef(ref: string): string {
  return ref.slice(ref.indexOf('#'));
}

/**
 * Makes every $ref local; refs into components stay refs, refs elsewhere (the bundler points some
 * parameters at other operations' parameter lists) are inlined, or dropped when they do not resolve.
 */
function normaliseRefs(value: Json, spec: JsonObject, depth = 0): Json {
  if (Array.isArray(value)) return value.map((item) => normaliseRefs(item, spec, depth));
  if (value && typeof value === 'object') {
    const ref = value.$ref;
    if (typeof ref === 'string' && !localRef(ref).startsWith('#/components/')) {
      if (depth > 20) return {};
      try {
        return normaliseRefs(stripProse(resolvePointer(spec, localRef(ref))), spec, depth + 1);
      } catch {
        return {};
      }
    }
    const out: JsonObject = {};
    for (const [key, child] of Object.entries(value)) {
      out[key] = key === '$ref' && typeof child === 'string' ? localRef(child) : normaliseRefs(child, spec, depth);
    }
    return out;
  }
  return value;
}

function resolvePointer(root: JsonObject, ref: string): Json {
  if (!ref.startsWith('#/')) throw new Error(`external $ref not supported: ${ref}`);
  let node: Json = root;
  for (const raw of ref.slice(2).split('/')) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!node || typeof node !== 'object' || Array.isArray(node) || !(part in node)) {
      throw new Error(`unresolvable $ref ${ref}`);
    }
    node = (node as JsonObject)[part];
  }
  return node;
}

function setPointer(root: JsonObject, ref: string, value: Json): void {
  const parts = ref
    .slice(2)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node = root;
  for (const part of parts.slice(0, -1)) {
    node[part] = (node[part] as JsonObject | undefined) ?? {};
    node = node[part] as JsonObject;
  }
  node[parts[parts.length - 1]] = value;
}

function extract(name: string, specDir: string): void {
  const { file, source } = SPECS[name];
  const opsFile = path.join('test/specs', `${name}.operations.json`);
  if (!existsSync(opsFile)) return;
  const wanted = JSON.parse(readFileSync(opsFile, 'utf8')) as string[];
  const spec = parse(readFileSync(path.join(specDir, file), 'utf8'), { maxAliasCount: -1 }) as JsonObject;
  const paths = spec.paths as JsonObject;
  const operations: JsonObject = {};
  const refs = new Set<string>();
  for (const entry of wanted) {
    const [method, opPath] = entry.split(' ');
    const op = (paths[opPath] as JsonObject | undefined)?.[method.toLowerCase()] as JsonObject | undefined;
    if (!op) throw new Error(`${name}: no operation ${entry} in ${file}`);
    const pathItem = paths[opPath] as JsonObject;
    const kept = normaliseRefs(
      stripProse({
        parameters: [...((pathItem.parameters as Json[]) ?? []), ...((op.parameters as Json[]) ?? [])],
        requestBody: op.requestBody ?? null,
        responses: op.responses,
      }),
      spec,
    ) as JsonObject;
    operations[entry] = kept;
    collectRefs(kept, refs);
  }
  // Close over the referenced components.
  const components: JsonObject = {};
  const done = new Set<string>();
  const queue = [...refs];
  while (queue.length) {
    const ref = queue.pop()!;
    if (done.has(ref)) continue;
    done.add(ref);
    const node = normaliseRefs(stripProse(resolvePointer(spec, ref)), spec);
    setPointer(components, ref.replace('#/components/', '#/'), node);
    const inner = new Set<string>();
    collectRefs(node, inner);
    inner.forEach((r) => queue.push(r));
  }
  const out = { source, generatedBy: 'scripts/extract-specs.ts', operations, components };
  writeFileSync(path.join('test/specs', `${name}.schemas.json`), JSON.stringify(out, null, 1) + '\n');
  console.log(`${name}: ${Object.keys(operations).length} operations, ${done.size} components -> test/specs/${name}.schemas.json`);
}

const specDir = process.argv[2] ?? path.resolve('../shared/reference/specs');
for (const name of Object.keys(SPECS)) extract(name, specDir);
