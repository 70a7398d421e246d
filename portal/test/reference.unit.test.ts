/**
 * The API reference's pieces without I/O beyond temp files: the `apis` config section, the
 * OpenAPI documents (validated by swagger-parser, problems named), the operations model, the
 * path check that keeps "Try it" on the API's base URL, and the words a failed request gets.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { testTempDir } from "../../tests/support/temp-dirs";
import { loadPortalConfig, parsePortalConfig } from "../lib/config/load";
import { checkApiDocuments, parseApiDocument } from "../lib/reference/documents";
import { listOperations, matchesTemplate } from "../lib/reference/operations";
import { examplePath, operationCurl, tokenCurl } from "../lib/reference/samples";
import { explain } from "../lib/reference/try-request";

const repoConfig = path.join(__dirname, "..", "portal.config.js");
const AUD = "https://api.example.local/";

function config(apis: unknown[]) {
  const env = (id: string) => ({ id, label: id, apis: [{ audience: AUD, scopes: [] }] });
  return { branding: { title: "T" }, environments: [env("sandbox"), env("production")], apis };
}

function api(overrides: Record<string, unknown> = {}) {
  return {
    id: "example",
    title: "Example",
    openapi: "openapi.json",
    environments: { sandbox: { audience: AUD, baseUrl: "http://localhost:4003" } },
    ...overrides,
  };
}

function problems(value: unknown): string {
  try {
    parsePortalConfig(value);
    return "";
  } catch (error) {
    return (error as Error).message;
  }
}

describe("apis in portal.config.js", () => {
  it("the shipped config names the Example API and its document is valid", async () => {
    const shipped = loadPortalConfig(repoConfig);
    expect(shipped.apis.map((a) => a.id)).toEqual(["example"]);
    expect(await checkApiDocuments(shipped.apis, repoConfig)).toEqual([]);
  });

  it("names each wrong key: id, URL scheme, audience not granted, unknown environment", () => {
    const text = problems(
      config([
        api({ id: "Bad Id" }),
        api({
          id: "b",
          openapi: "http://docs.example.com/openapi.json",
          environments: {
            sandbox: { audience: "https://other.example/", baseUrl: "http://api.example.com" },
          },
        }),
        api({ id: "c", environments: {} }),
      ]),
    );
    expect(text).toContain("apis.0.id: id must be lower-case letters, digits and -");
    expect(text).toContain("apis.1.openapi: openapi must be a file path or an https:// URL");
    expect(text).toContain(
      "apis.1.environments.sandbox.baseUrl: baseUrl must be an https:// URL (http:// only for localhost)",
    );
    expect(text).toContain(
      "apis.1.environments.sandbox.audience: https://other.example/ is not among environments[sandbox].apis",
    );
    expect(text).toContain("apis.2.environments: Name at least one environment");
    expect(problems(config([api(), api()]))).toContain("apis: Each API id may appear once");
    const onlySandbox = {
      ...config([api({ environments: { production: { audience: AUD, baseUrl: "https://x" } } })]),
    };
    onlySandbox.environments = onlySandbox.environments.slice(0, 1);
    expect(problems(onlySandbox)).toContain(
      "apis.0.environments.production.audience: environment production is not offered",
    );
    expect(problems(config([api()]))).toBe("");
  });
});

describe("OpenAPI documents", () => {
  const dir = () => testTempDir("openapi-");
  const write = (d: string, name: string, doc: unknown) => {
    writeFileSync(path.join(d, name), typeof doc === "string" ? doc : JSON.stringify(doc));
    return path.join(d, "portal.config.js");
  };

  it("a bad document is named with its API and the parser's problem", async () => {
    const d = dir();
    const configFile = write(d, "openapi.json", {
      openapi: "3.0.3",
      info: { title: "x", version: "1" },
      paths: { "/a": { get: { responses: { 200: { description: 7 } } } } },
    });
    const [problem] = await checkApiDocuments([api() as never], configFile);
    expect(problem).toMatch(/^apis\[example\]\.openapi: /);
    expect(problem).toMatch(/description/);
  });

  it("a missing file, a file that is not JSON or YAML, and Swagger 2.0 are refused", async () => {
    const d = dir();
    const configFile = path.join(d, "portal.config.js");
    await expect(parseApiDocument(api() as never, configFile)).rejects.toThrow(
      /apis\[example\]\.openapi: .*openapi\.json/,
    );
    write(d, "openapi.json", "{ not: [json");
    await expect(parseApiDocument(api() as never, configFile)).rejects.toThrow(/apis\[example\]/);
    write(d, "openapi.json", {
      swagger: "2.0",
      info: { title: "x", version: "1" },
      paths: {},
    });
    await expect(parseApiDocument(api() as never, configFile)).rejects.toThrow(
      "only OpenAPI 3.x documents are supported",
    );
  });

  it("lists the sample API's operations with their scopes, parameters and body example", async () => {
    const doc = await parseApiDocument(
      api({ openapi: "openapi/example-api.json" }) as never,
      repoConfig,
    );
    const ops = listOperations(doc);
    expect(ops.map((o) => `${o.method} ${o.path} ${o.scopes.join(",")}`)).toEqual([
      "get /examples read:examples",
      "post /examples write:examples",
      "get /examples/{exampleId} read:examples",
    ]);
    const create = ops.find((o) => o.id === "createExample");
    expect(JSON.parse(create?.bodyExample ?? "")).toEqual({ name: "My first example" });
    const get = ops.find((o) => o.id === "getExample");
    expect(get?.parameters).toEqual([expect.objectContaining({ name: "exampleId", in: "path" })]);
  });
});

describe("Try it's request checks and explanations", () => {
  it("a path fits its template only with plain segments", () => {
    expect(matchesTemplate("/examples/{id}", "/examples/ex_1")).toBe(true);
    expect(matchesTemplate("/examples/{id}", "/examples/ex%201")).toBe(true);
    for (const bad of [
      "/examples/",
      "/examples/..",
      "/examples/%2e%2E",
      "/examples/a%2Fb",
      "/examples/a%5Cb",
      "/examples/a/b",
      "/other/ex_1",
      "/examples/%E0%A4%A",
    ])
      expect(matchesTemplate("/examples/{id}", bad), bad).toBe(false);
  });

  const op = { scopes: ["write:examples"] } as never;

  it("explains 401, a missing scope, and says nothing on success", () => {
    expect(
      explain(401, 'Bearer error="invalid_token", error_description="expired"', "", op, []),
    ).toMatch(/^401 from the API: it refused the token \(expired\)/);
    const scope = explain(
      403,
      'Bearer error="insufficient_scope", scope="write:examples"',
      "",
      op,
      ["read:examples"],
    );
    expect(scope).toContain("missing scope. This operation needs write:examples");
    expect(scope).toContain("your credential's token has read:examples");
    expect(explain(302, null, "", op, [])).toContain("does not follow redirects");
    expect(explain(200, null, "{}", op, [])).toBeUndefined();
  });
});

describe("code samples", () => {
  it("the token curl carries the reader's client id, token URL, audience and scopes; the secret stays a variable", () => {
    const curl = tokenCurl({
      tokenUrl: "https://sandbox.example/oauth/token",
      clientId: "abc123",
      audience: AUD,
      scopes: ["read:examples"],
    });
    expect(curl).toContain("'https://sandbox.example/oauth/token'");
    expect(curl).toContain('"client_id":"abc123"');
    expect(curl).toContain(`"audience":"${AUD}"`);
    expect(curl).toContain("granted: read:examples");
    expect(curl).toContain(`"client_secret":"'"$CLIENT_SECRET"'"`);
  });

  it("an operation's curl fills path examples and sends its JSON body", async () => {
    const doc = await parseApiDocument(
      api({ openapi: "openapi/example-api.json" }) as never,
      repoConfig,
    );
    const [, create, get] = listOperations(doc);
    if (!create || !get) throw new Error("operations missing");
    expect(examplePath(get)).toBe("/examples/ex_1");
    expect(operationCurl(get, "https://api.example.com/")).toContain(
      "curl -s -X GET 'https://api.example.com/examples/ex_1'",
    );
    expect(operationCurl(create, "https://api.example.com")).toContain(
      `-d '{"name":"My first example"}'`,
    );
  });
});
