/**
 * Browser-side key handling for key-pair credentials (ADR 0800), with WebCrypto and jose: the
 * key pair is made here, the public key (SPKI PEM) goes to the server, the private key (PKCS#8
 * PEM) only to the user's download. Client assertions are signed here with a key the user picks
 * from disk. Nothing in this module sends anything anywhere.
 */
import { importPKCS8, SignJWT } from "jose";

export type KeyAlg = "RS256" | "PS256";

/** WebCrypto parameters of each algorithm Auth0 accepts that the portal offers (2048-bit RSA). */
function algorithm(alg: KeyAlg): RsaHashedKeyGenParams {
  return {
    name: alg === "PS256" ? "RSA-PSS" : "RSASSA-PKCS1-v1_5",
    modulusLength: 2048, // Auth0: 2048 to 4096 bits
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: "SHA-256",
  };
}

function pem(label: string, der: ArrayBuffer): string {
  const bytes = new Uint8Array(der);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  const lines = btoa(binary).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** A fresh key pair: the SPKI public key for the server, the PKCS#8 private key for the user. */
export async function generateKeyPairPems(
  alg: KeyAlg,
): Promise<{ publicKeyPem: string; privateKeyPem: string }> {
  const pair = await crypto.subtle.generateKey(algorithm(alg), true, ["sign", "verify"]);
  return {
    publicKeyPem: pem("PUBLIC KEY", await crypto.subtle.exportKey("spki", pair.publicKey)),
    privateKeyPem: pem("PRIVATE KEY", await crypto.subtle.exportKey("pkcs8", pair.privateKey)),
  };
}

/**
 * A one-time client assertion (RFC 7523) as Auth0 takes it: `iss` = `sub` = client id, `aud` =
 * the tenant URL with its trailing slash, 60 s lifetime (Auth0 allows at most 5 minutes), a fresh
 * `jti`. The key must be PKCS#8 PEM (what the portal's download holds, or `openssl genpkey`).
 */
export async function signClientAssertion(
  privateKeyPem: string,
  alg: KeyAlg,
  clientId: string,
  audience: string,
): Promise<string> {
  let key: CryptoKey;
  try {
    key = await importPKCS8(privateKeyPem.trim(), alg);
  } catch {
    throw new Error(
      `That file is not a PKCS#8 private key for ${alg} (a PEM file that starts with BEGIN PRIVATE KEY).`,
    );
  }
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(audience)
    .setIssuedAt(now)
    .setExpirationTime(now + 60)
    .setJti(crypto.randomUUID())
    .sign(key);
}
