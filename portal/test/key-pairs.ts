/**
 * Key pairs for tests, made as the customer would (outside the portal): an RSA key, its SPKI PEM
 * for the portal, and client assertions signed with the private key by the very code the browser
 * runs (components/key-pair-crypto.ts; Node has WebCrypto too).
 */
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { type KeyAlg, signClientAssertion } from "../components/key-pair-crypto";

export function newRsaKeyPair(bits = 2048): { publicKeyPem: string; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: bits });
  return { publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(), privateKey };
}

/** A one-time client assertion: iss = sub = client id, aud = the tenant URL, 60 s, fresh jti. */
export function signAssertion(
  clientId: string,
  privateKey: KeyObject,
  audience: string,
  alg: KeyAlg = "RS256",
): Promise<string> {
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  return signClientAssertion(pem, alg, clientId, audience);
}
