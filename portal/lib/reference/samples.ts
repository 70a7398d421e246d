/**
 * The copyable code samples of the reference page, as plain text: the token request (client
 * credentials, with the reader's client id, token URL, audience and scopes; the secret always a
 * placeholder) and each operation's request with that token.
 */
import type { Operation } from "./operations";

export interface TokenSampleInput {
  tokenUrl: string;
  clientId: string;
  audience: string;
  scopes: string[];
  caFile?: string | undefined;
}

const sh = (v: string) => `'${v.replaceAll("'", `'\\''`)}'`;

/** curl for a token; the secret is read from $CLIENT_SECRET, never written into the page. */
export function tokenCurl(c: TokenSampleInput): string {
  const body = JSON.stringify({
    grant_type: "client_credentials",
    client_id: c.clientId,
    client_secret: "CLIENT_SECRET_PLACEHOLDER",
    audience: c.audience,
  }).replace('"CLIENT_SECRET_PLACEHOLDER"', `"'"$CLIENT_SECRET"'"`);
  return [
    `# Scopes this credential is granted: ${c.scopes.join(" ") || "(none)"}`,
    `ACCESS_TOKEN=$(curl -s${c.caFile ? ` --cacert ${sh(c.caFile)}` : ""} ${sh(c.tokenUrl)} \\`,
    `  -H 'content-type: application/json' \\`,
    `  -d '${body}' | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')`,
  ].join("\n");
}

/** The operation's path with the example values of its path parameters filled in. */
export function examplePath(operation: Operation): string {
  return operation.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const p = operation.parameters.find((x) => x.in === "path" && x.name === name);
    return p?.example === undefined ? `{${name}}` : encodeURIComponent(p.example);
  });
}

/** curl for one operation against a base URL, with the token from tokenCurl. */
export function operationCurl(operation: Operation, baseUrl: string): string {
  const url = `${baseUrl.replace(/\/+$/, "")}${examplePath(operation)}`;
  const lines = [
    `curl -s -X ${operation.method.toUpperCase()} ${sh(url)} \\`,
    `  -H "Authorization: Bearer $ACCESS_TOKEN"`,
  ];
  if (operation.bodyExample !== undefined) {
    lines[lines.length - 1] += " \\";
    lines.push(`  -H 'content-type: application/json' \\`);
    lines.push(`  -d ${sh(JSON.stringify(JSON.parse(operation.bodyExample)))}`);
  }
  return lines.join("\n");
}
