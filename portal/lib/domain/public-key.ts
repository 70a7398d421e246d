/**
 * The public key of a key-pair credential, as the browser sends it: an SPKI PEM
 * ("-----BEGIN PUBLIC KEY-----") of an RSA key of 2048 to 4096 bits. Auth0 takes "PEM-formatted
 * public key (SPKI and PKCS1) or X509 certificate" (SDK `PublicKeyCredential.pem`) and "enforces a
 * minimum RSA key size of 2048 bits and a maximum key size of 4096 bits"
 * (https://auth0.com/docs/secure/application-credentials/generate-rsa-key-pair); the portal takes
 * the one form its browser code produces and `openssl rsa -pubout` prints.
 *
 * Anything that looks like a private key is refused with a message that says so, and the text is
 * never echoed, logged or kept: the portal must never hold a private key.
 */
import { createPublicKey } from "node:crypto";
import { PortalError } from "../errors";

export const MIN_RSA_BITS = 2048;
export const MAX_RSA_BITS = 4096;
const SPKI = /^-----BEGIN PUBLIC KEY-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END PUBLIC KEY-----$/;

/** Whether a text holds a private key in any PEM or JWK form (checked before anything else). */
export function looksLikePrivateKey(text: string): boolean {
  return /PRIVATE KEY-----/.test(text) || /"d"\s*:/.test(text);
}

/** Checks and normalizes a pasted or generated public key; returns the SPKI PEM to register. */
export function readPublicKey(input: string): { pem: string; bits: number } {
  const text = input.trim().replaceAll("\r\n", "\n");
  if (looksLikePrivateKey(text))
    throw new PortalError(
      "invalid_input",
      "That is a private key. Paste only the public key (-----BEGIN PUBLIC KEY-----); keep the private key to yourself and never paste it anywhere.",
    );
  if (!SPKI.test(text))
    throw new PortalError(
      "invalid_input",
      "Paste a PEM public key that starts with -----BEGIN PUBLIC KEY----- (e.g. from `openssl rsa -in key.pem -pubout`).",
    );
  let bits = 0;
  let type: string | undefined;
  try {
    const key = createPublicKey({ key: text, format: "pem" });
    type = key.asymmetricKeyType;
    bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  } catch {
    throw new PortalError("invalid_input", "That public key could not be read (damaged PEM?).");
  }
  if (type !== "rsa")
    throw new PortalError(
      "invalid_input",
      `The key must be an RSA key (Auth0 takes RS256, RS384, PS256), not ${type ?? "this type"}.`,
    );
  if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS)
    throw new PortalError(
      "invalid_input",
      `The RSA key must have ${MIN_RSA_BITS} to ${MAX_RSA_BITS} bits (Auth0's limits); this one has ${bits}.`,
    );
  return { pem: `${text}\n`, bits };
}
