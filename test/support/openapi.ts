/**
 * Validates request and response bodies against the vendors' official OpenAPI schemas, as extracted
 * into test/specs by scripts/extract-specs.ts. Uses openapi-request-validator / openapi-response-validator
 * (OpenAPI 3 aware: nullable, oneOf/anyOf, $ref into components) rather than hand-written checks.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import OpenAPIResponseValidator from 'openapi-response-validator';
import OpenAPIRequestValidator from 'openapi-request-validator';

type SpecName = 'moysklad' | 'betapro';
interface ExtractedSpec {
  operations: Record<string, { requestBody: unknown; responses: Record<string, unknown> }>;
  components: Record<string, unknown>;
}

const cache = new Map<SpecName, ExtractedSpec>();
function load(name: SpecName): ExtractedSpec {
  let spec = cache.get(name);
  if (!spec) {
    const file = path.resolve(import.meta.dirname, '..', 'specs', `${name}.schemas.json`);
    spec = JSON.parse(readFileSync(file, 'utf8')) as ExtractedSpec;
    cache.set(name, spec);
  }
  return spec;
}

function operation(name: SpecName, op: string) {
  const found = load(name).operations[op];
  if (!found) throw new Error(`${op} is not in test/specs/${name}.operations.json (run npm run specs:extract)`);
  return found;
}

export interface SpecError {
  path: string;
  message: string;
}

/** Errors of `body` as the response of `op` with `status`; empty when it conforms. */
export function responseErrors(name: SpecName, op: string, status: number, body: unknown): SpecError[] {
  const { responses } = operation(name, op);
  const validator = new OpenAPIResponseValidator({
    responses: responses as never,
    components: load(name).components as never,
  });
  const result = validator.validateResponse(status, body);
  return (result?.errors ?? []).map((e: { path?: string; message?: string }) => ({
    path: e.path ?? '',
    message: e.message ?? '',
  }));
}

/** Errors of `body` as the JSON request body of `op`; empty when it conforms. */
export function requestErrors(name: SpecName, op: string, body: unknown): SpecError[] {
  const { requestBody } = operation(name, op);
  if (!requestBody) return [];
  const validator = new OpenAPIRequestValidator({
    requestBody: requestBody as never,
    componentSchemas: (load(name).components as { schemas?: Record<string, unknown> }).schemas as never,
  });
  const result = validator.validateRequest({ body, headers: { 'content-type': 'application/json' } });
  return (result?.errors ?? []).map((e: { path?: string; message?: string }) => ({
    path: e.path ?? '',
    message: e.message ?? '',
  }));
}

export function expectResponseConforms(name: SpecName, op: string, status: number, body: unknown): void {
  const errors = responseErrors(name, op, status, body);
  if (errors.length) {
    throw new Error(
      `${name} ${op} ${status} response does not match the spec:\n` + errors.map((e) => `  ${e.path}: ${e.message}`).join('\n'),
    );
  }
}

export function expectRequestConforms(name: SpecName, op: string, body: unknown): void {
  const errors = requestErrors(name, op, body);
  if (errors.length) {
    throw new Error(`${name} ${op} request body does not match the spec:\n` + errors.map((e) => `  ${e.path}: ${e.message}`).join('\n'));
  }
}
