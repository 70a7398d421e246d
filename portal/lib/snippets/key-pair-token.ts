/**
 * The copyable Node snippet shown with a key-pair credential: sign a client assertion with the
 * private key file (jose) and exchange it for a token. Pure text, rendered in the browser and run
 * as-is by portal/test/key-pairs.integration.test.ts. The assertion follows Auth0's rules
 * (https://auth0.com/docs/get-started/authentication-and-authorization-flow/authenticate-with-private-key-jwt):
 * `iss` = `sub` = client id, `aud` = the tenant URL with its trailing slash, `exp` ≤ 5 minutes
 * (60 s here), a fresh `jti`, `alg` = the key's registered algorithm.
 */
export interface KeyPairSnippetInput {
  clientId: string;
  tokenUrl: string;
  assertionAudience: string;
  audience: string;
  alg: "RS256" | "PS256";
  /** Where the downloaded private key is, relative to where the snippet runs. */
  keyFile: string;
}

/** The file name the private key is offered under (letters, digits, - and _ only). */
export function privateKeyFileName(name: string): string {
  const base = name.replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "") || "credential";
  return `${base}.private-key.pem`;
}

export function keyPairSnippet(c: KeyPairSnippetInput): string {
  const q = (v: string) => JSON.stringify(v);
  return `// get-token.mjs — npm install jose; node get-token.mjs
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { importPKCS8, SignJWT } from "jose";

const clientId = ${q(c.clientId)};
const key = await importPKCS8(await readFile(process.env.PRIVATE_KEY_FILE ?? ${q(c.keyFile)}, "utf8"), ${q(c.alg)});
const now = Math.floor(Date.now() / 1000);
const clientAssertion = await new SignJWT({})
  .setProtectedHeader({ alg: ${q(c.alg)} })
  .setIssuer(clientId)
  .setSubject(clientId)
  .setAudience(${q(c.assertionAudience)})
  .setIssuedAt(now)
  .setExpirationTime(now + 60)
  .setJti(randomUUID())
  .sign(key);
const response = await fetch(${q(c.tokenUrl)}, {
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams({
    grant_type: "client_credentials",
    audience: ${q(c.audience)},
    client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    client_assertion: clientAssertion,
  }),
});
console.log(JSON.stringify(await response.json(), null, 2));
`;
}
