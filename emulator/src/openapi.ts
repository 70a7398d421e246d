/**
 * Auth0's Management API description, read at run time, turned into what the router needs:
 * per operation its method, path pattern, required scopes (any one of
 * `security[].oAuth2ClientCredentials`), query parameter schemas and request body schema, and
 * validators (ajv, JSON Schema 2020-12) that word their failures as Auth0 does.
 */
import { readFileSync } from "node:fs";
import Ajv2020, { type ErrorObject, type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { ApiError } from "./errors";
import { openApiPath, SUPPLEMENTS_PATH } from "./paths";

type Schema = Record<string, unknown>;
interface RawOperation {
  operationId: string;
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: Schema }>;
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
  security?: Array<Record<string, string[]>>;
}
interface Document {
  paths: Record<string, Record<string, RawOperation>>;
  components: { schemas: Record<string, Schema> };
  /** Supplements only: schema name → properties to add where the schema lacks them. */
  schemaProperties?: Record<string, Record<string, Schema>>;
  /** Supplements only: `<path> <method>` → parameters to add where the operation lacks them. */
  operationParameters?: Record<string, NonNullable<RawOperation["parameters"]>>;
}

/** Where an operation comes from: Auth0's vendored document, or a local supplement. */
export const SUPPLEMENT_MARK = "x-astral-supplement";

function readJson(file: string, what: string): Document {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Document;
  } catch (err) {
    throw new Error(
      `cannot read ${what} at ${file} (${(err as Error).message}); ` +
        "it is vendored in emulator/spec/; `npm run spec:refresh` restores the document",
    );
  }
}

/**
 * Auth0's Management API document with the local supplements merged in (emulator/spec/
 * supplements.json: operations the vendored copy predates, each marked `x-astral-supplement`
 * with its source). Auth0's own operation wins where both have one: a refreshed document that
 * gained the operation makes the supplement moot.
 */
export function loadManagementApi(
  file: string = openApiPath(),
  supplementsFile: string = SUPPLEMENTS_PATH,
): Document {
  const doc = readJson(file, "Auth0's Management API description");
  const extra = readJson(supplementsFile, "the local supplements to it");
  for (const [path, methods] of Object.entries(extra.paths ?? {})) {
    doc.paths[path] ??= {};
    const target = doc.paths[path];
    for (const [method, op] of Object.entries(methods)) target[method] ??= op;
  }
  for (const [name, schema] of Object.entries(extra.components?.schemas ?? {})) {
    doc.components.schemas[name] ??= schema;
  }
  // Properties Auth0 accepts that a schema of the vendored copy lacks (each with its source).
  for (const [name, props] of Object.entries(extra.schemaProperties ?? {})) {
    const schema = doc.components.schemas[name] as
      | { properties?: Record<string, Schema> }
      | undefined;
    if (!schema) throw new Error(`supplements.json: no schema ${name} in the document`);
    schema.properties ??= {};
    for (const [prop, value] of Object.entries(props)) schema.properties[prop] ??= value;
  }
  for (const [where, params] of Object.entries(extra.operationParameters ?? {})) {
    const [path = "", method = ""] = where.split(" ");
    const op = doc.paths[path]?.[method];
    if (!op) throw new Error(`supplements.json: no operation ${where} in the document`);
    op.parameters ??= [];
    for (const param of params)
      if (!op.parameters.some((p) => p.name === param.name && p.in === param.in))
        op.parameters.push(param);
  }
  return doc;
}

export interface Operation {
  operationId: string;
  method: string;
  /** OpenAPI path template, e.g. `/clients/{id}`. */
  path: string;
  pattern: RegExp;
  pathParams: string[];
  /** Any one of these scopes allows the operation. */
  scopes: string[];
  queryParams: Array<{ name: string; required: boolean; schema: Schema }>;
  bodySchema: Schema | undefined;
  responses: Record<string, Schema | undefined>;
}

const DOC_ID = "https://auth0.local/management-api";
const KNOWN_FORMATS = new Set(["date-time", "date", "email", "uri", "uuid", "ipv4", "ipv6"]);

export class OpenApi {
  private readonly doc: Document;
  private readonly ajv: Ajv2020;
  private readonly validators = new Map<string, ValidateFunction>();
  readonly operations = new Map<string, Operation>();

  constructor(file: string = openApiPath(), supplementsFile: string = SUPPLEMENTS_PATH) {
    this.doc = loadManagementApi(file, supplementsFile);
    // Auth0's patterns use escapes (`\:`) that JavaScript's unicode mode refuses.
    this.ajv = new Ajv2020({
      strict: false,
      allErrors: false,
      logger: false,
      verbose: true,
      unicodeRegExp: false,
    });
    addFormats(this.ajv, [...KNOWN_FORMATS] as never);
    // Auth0's own formats (client-id, strict-uri, ...) are not checked: unknown names pass.
    for (const format of collectFormats(this.doc)) {
      if (!KNOWN_FORMATS.has(format)) this.ajv.addFormat(format, true);
    }
    this.ajv.addSchema({ $id: DOC_ID, components: this.doc.components });
    for (const [path, methods] of Object.entries(this.doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        this.operations.set(op.operationId, toOperation(path, method.toUpperCase(), op));
      }
    }
  }

  operation(operationId: string): Operation {
    const op = this.operations.get(operationId);
    if (!op) throw new Error(`operation ${operationId} is not in the OpenAPI document`);
    return op;
  }

  /** A validator for a schema of the document (refs resolve against its components). */
  validator(schema: Schema): ValidateFunction {
    const key = JSON.stringify(schema);
    let v = this.validators.get(key);
    if (!v) {
      v = this.ajv.compile({ $id: `${DOC_ID}/s${this.validators.size}`, ...rebase(schema) });
      this.validators.set(key, v);
    }
    return v;
  }

  /** Whether the operation's request body schema names this top-level property. */
  knowsProperty(operationId: string, property: string): boolean {
    const body = this.operation(operationId).bodySchema;
    const schema = body ? resolve(body, this.doc) : undefined;
    return Object.hasOwn((schema?.properties as object | undefined) ?? {}, property);
  }

  /** Parses the query string by the operation's parameter schemas; 400 in Auth0's words. */
  parseQuery(op: Operation, search: URLSearchParams): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const param of op.queryParams) {
      const raw = search.getAll(param.name);
      if (raw.length === 0) {
        if (param.required) {
          throw new ApiError(
            400,
            `Query validation error: 'Missing required property: ${param.name}'.`,
            "invalid_query_string",
          );
        }
        continue;
      }
      const value = coerce(param.schema, raw, this.doc);
      const validate = this.validator(param.schema);
      if (!validate(value)) {
        throw new ApiError(
          400,
          `Query validation error: ${describe(validate.errors?.[0], param.name)}`,
          "invalid_query_string",
        );
      }
      out[param.name] = value;
    }
    return out;
  }

  /** Validates a request body against the operation's schema; 400 in Auth0's words. */
  checkBody(op: Operation, body: unknown): void {
    if (!op.bodySchema) return;
    const validate = this.validator(op.bodySchema);
    if (!validate(body)) {
      throw new ApiError(
        400,
        `Payload validation error: ${describe(validate.errors?.[0])}`,
        "invalid_body",
      );
    }
  }
}

function toOperation(path: string, method: string, op: RawOperation): Operation {
  const pathParams: string[] = [];
  const source = path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{([^}]+)\}/g, (_, name) => {
    pathParams.push(name);
    return "([^/]+)";
  });
  const scopes = (op.security ?? []).flatMap((s) => s.oAuth2ClientCredentials ?? []);
  const content = op.requestBody?.content;
  const responses: Record<string, Schema | undefined> = {};
  for (const [status, r] of Object.entries(op.responses ?? {})) {
    responses[status] = r.content?.["application/json"]?.schema;
  }
  return {
    operationId: op.operationId,
    method,
    path,
    pattern: new RegExp(`^${source}$`),
    pathParams,
    scopes,
    queryParams: (op.parameters ?? [])
      .filter((p) => p.in === "query")
      .map((p) => ({ name: p.name, required: p.required === true, schema: p.schema ?? {} })),
    bodySchema: content?.["application/json"]?.schema,
    responses,
  };
}

/** Points `#/components/...` refs of an inline schema at the registered document. */
function rebase(schema: Schema): Schema {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', `"${DOC_ID}#/components/`));
}

function resolve(schema: Schema, doc: Document): Schema {
  const ref = schema.$ref;
  if (typeof ref === "string" && ref.startsWith("#/components/schemas/")) {
    return doc.components.schemas[ref.slice("#/components/schemas/".length)] ?? schema;
  }
  return schema;
}

/** Query strings are text: turn them into what the parameter's schema expects. */
function coerce(schema: Schema, raw: string[], doc: Document): unknown {
  const s = resolve(schema, doc);
  const type = s.type;
  if (type === "array") {
    const items = (s.items as Schema | undefined) ?? {};
    return raw.flatMap((r) => r.split(",")).map((r) => coerce(items, [r], doc));
  }
  const text = raw[raw.length - 1] as string;
  if (type === "integer" || type === "number") {
    return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
  }
  if (type === "boolean") {
    return text === "true" ? true : text === "false" ? false : text;
  }
  return text;
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/** One ajv error in the words of Auth0's validator. */
function describe(error: ErrorObject | undefined, topName?: string): string {
  if (!error) return "'Invalid input'.";
  const segments = error.instancePath.split("/").filter(Boolean);
  const property = [topName, ...segments].filter(Boolean).join(".");
  const on = property ? ` on property ${property}.` : ".";
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return `'Missing required property: ${p.missingProperty}'${on}`;
    case "additionalProperties":
      return `'Additional properties not allowed: ${p.additionalProperty}'${on}`;
    case "type":
      return `'Expected type ${p.type} but found type ${typeOf(error.data)}'${on}`;
    case "minLength":
      return `'String is too short (${String(error.data).length} chars), minimum ${p.limit}'${on}`;
    case "maxLength":
      return `'String is too long (${String(error.data).length} chars), maximum ${p.limit}'${on}`;
    case "enum":
      return `'No enum match for: ${JSON.stringify(error.data)}'${on}`;
    case "pattern":
      return `'String does not match pattern ${p.pattern}: ${String(error.data)}'${on}`;
    case "format":
      return `'Object didn't pass validation for format ${p.format}: ${String(error.data)}'${on}`;
    case "maximum":
      return `'Value ${error.data} is greater than the maximum of ${p.limit}'${on}`;
    case "minimum":
      return `'Value ${error.data} is less than the minimum of ${p.limit}'${on}`;
    case "maxProperties":
      return `'Too many properties defined (${Object.keys(error.data as object).length}), maximum ${p.limit}'${on}`;
    case "maxItems":
      return `'Array is too long (${(error.data as unknown[]).length}), maximum ${p.limit}'${on}`;
    default:
      return `'${error.message ?? "Invalid value"}'${on}`;
  }
}

function collectFormats(doc: Document): Set<string> {
  const formats = new Set<string>();
  JSON.stringify(doc, (key, value) => {
    if (key === "format" && typeof value === "string") formats.add(value);
    return value;
  });
  return formats;
}
