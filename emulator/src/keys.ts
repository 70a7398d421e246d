/**
 * A tenant's token signing key (RS256, kept in the tenant's state so tokens survive restarts),
 * signing and verifying with `jose`.
 */

import type { webcrypto } from "node:crypto";
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from "jose";

type CryptoKey = webcrypto.CryptoKey;

export class SigningKey {
  private constructor(
    readonly kid: string,
    private readonly privateKey: CryptoKey,
    private readonly publicKey: CryptoKey,
    readonly publicJwk: JWK,
  ) {}

  /** Loads the stored key, or makes a new one (returned as `created` for the caller to store). */
  static async load(stored: JWK | undefined): Promise<{ key: SigningKey; jwk: JWK }> {
    let jwk = stored;
    if (!jwk) {
      const pair = await generateKeyPair("RS256", { extractable: true });
      jwk = await exportJWK(pair.privateKey);
      jwk.kid = await calculateJwkThumbprint(jwk);
      jwk.alg = "RS256";
    }
    const { d, p, q, dp, dq, qi, ...publicJwk } = jwk;
    publicJwk.use = "sig";
    const privateKey = (await importJWK(jwk, "RS256")) as CryptoKey;
    const publicKey = (await importJWK(publicJwk, "RS256")) as CryptoKey;
    return { key: new SigningKey(jwk.kid as string, privateKey, publicKey, publicJwk), jwk };
  }

  sign(payload: JWTPayload, lifetimeSeconds: number): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ ...payload, iat: now, exp: now + lifetimeSeconds })
      .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: this.kid })
      .sign(this.privateKey);
  }

  /** Verifies signature, issuer, audience and expiry; throws on any failure. */
  async verify(token: string, issuer: string, audience: string): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, this.publicKey, {
      issuer,
      audience,
      algorithms: ["RS256"],
    });
    return payload;
  }
}
