/**
 * The operations of a dereferenced OpenAPI 3.x document, in the plain shape the reference page
 * renders and "Try it" checks requests against: method, path template, parameters, body example,
 * responses and the OAuth scopes the operation needs.
 */
import type { OpenAPIV3 } from "openapi-types";
import type { OpenApiDocument } from "./documents";

export const METHODS = ["get", "post", "put", "patch", "delete"] as const;
export type Method = (typeof METHODS)[number];

export interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required: boolean;
  description: string;
  type: string;
  example?: string;
}

export interface Operation {
  /** Stable id for anchors and forms: operationId, else method and path. */
  id: string;
  method: Method;
  path: string;
  summary: string;
  description: string;
  tag: string;
  parameters: Parameter[];
  /** A JSON example of the request body (from `example`, else built from the schema). */
  bodyExample?: string;
  hasBody: boolean;
  bodyRequired: boolean;
  responses: { status: string; description: string }[];
  /** The scopes the operation's security requirement names (OAuth2 / OpenID Connect schemes). */
  scopes: string[];
}

type Schema = OpenAPIV3.SchemaObject;

function typeOf(schema: Schema | undefined): string {
  if (!schema) return "string";
  if (schema.type === "array") return `array of ${typeOf(schema.items as Schema)}`;
  return [schema.type ?? "object", schema.format].filter(Boolean).join(" ");
}

/** A small example value from a schema, for the request body editor. */
export function exampleOf(schema: Schema | undefined, depth = 0): unknown {
  if (!schema || depth > 4) return null;
  if (schema.example !== undefined) return schema.example;
  if (schema.default !== undefined) return schema.default;
  if (schema.enum?.length) return schema.enum[0];
  switch (schema.type) {
    case "object":
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([k, v]) => [
          k,
          exampleOf(v as Schema, depth + 1),
        ]),
      );
    case "array":
      return [exampleOf(schema.items as Schema, depth + 1)];
    case "integer":
    case "number":
      return schema.minimum ?? 0;
    case "boolean":
      return true;
    default:
      return schema.format === "date-time" ? new Date(0).toISOString() : "string";
  }
}

function scopesOf(
  requirements: OpenAPIV3.SecurityRequirementObject[] | undefined,
  schemes: Record<string, OpenAPIV3.SecuritySchemeObject>,
): string[] {
  const scopes = new Set<string>();
  for (const requirement of requirements ?? [])
    for (const [name, values] of Object.entries(requirement)) {
      const scheme = schemes[name];
      if (scheme && (scheme.type === "oauth2" || scheme.type === "openIdConnect"))
        for (const value of values) scopes.add(value);
    }
  return [...scopes];
}

function parameterOf(p: OpenAPIV3.ParameterObject): Parameter {
  const schema = p.schema as Schema | undefined;
  const example = p.example ?? schema?.example ?? schema?.default;
  return {
    name: p.name,
    in: p.in as Parameter["in"],
    required: p.required === true || p.in === "path",
    description: p.description ?? "",
    type: typeOf(schema),
    ...(example !== undefined ? { example: String(example) } : {}),
  };
}

/** Every operation, in document order (swagger-parser has resolved every $ref). */
export function listOperations(document: OpenApiDocument): Operation[] {
  const schemes = (document.components?.securitySchemes ?? {}) as Record<
    string,
    OpenAPIV3.SecuritySchemeObject
  >;
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    if (!item) continue;
    const shared = (item.parameters ?? []) as OpenAPIV3.ParameterObject[];
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const own = (op.parameters ?? []) as OpenAPIV3.ParameterObject[];
      // An operation's parameter overrides a path-level one of the same name and location.
      const parameters = [
        ...shared.filter((s) => !own.some((o) => o.name === s.name && o.in === s.in)),
        ...own,
      ].map(parameterOf);
      const body = op.requestBody as OpenAPIV3.RequestBodyObject | undefined;
      const json = body?.content?.["application/json"];
      const bodyValue = json ? (json.example ?? exampleOf(json.schema as Schema)) : undefined;
      operations.push({
        id: op.operationId ?? `${method}-${path}`.replace(/[^A-Za-z0-9_-]+/g, "-"),
        method,
        path,
        summary: op.summary ?? `${method.toUpperCase()} ${path}`,
        description: op.description ?? "",
        tag: op.tags?.[0] ?? "",
        parameters,
        ...(bodyValue !== undefined ? { bodyExample: JSON.stringify(bodyValue, null, 2) } : {}),
        hasBody: body !== undefined,
        bodyRequired: body?.required === true,
        responses: Object.entries(op.responses ?? {}).map(([status, r]) => ({
          status,
          description: (r as OpenAPIV3.ResponseObject).description ?? "",
        })),
        scopes: scopesOf(op.security ?? document.security, schemes),
      });
    }
  }
  return operations;
}

/**
 * Whether a concrete request path fits an operation's template: each `{param}` is one non-empty
 * segment with no `/`, `?`, `#` or dot-segment, so a filled-in template cannot climb out of the
 * API's base path.
 */
export function matchesTemplate(template: string, concrete: string): boolean {
  const t = template.split("/");
  const c = concrete.split("/");
  if (t.length !== c.length) return false;
  return t.every((part, i) => {
    const segment = c[i] ?? "";
    if (!/^\{[^}]+\}$/.test(part)) return part === segment;
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return false;
    }
    return segment.length > 0 && !/[/?#\\]/.test(decoded) && decoded !== "." && decoded !== "..";
  });
}
