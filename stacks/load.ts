/**
 * Reads the stack config out of Pulumi's config and splits it: plain values are validated and
 * typed; secret values are validated too, then handed on only as secret Outputs.
 */

import type { CredentialKind, Environment } from "@astral/contract";
import * as pulumi from "@pulumi/pulumi";
import { PortalConfigError } from "../portal/lib/config/load";
import { offeredKindsOf } from "../portal/lib/config/offer";
import {
  CONFIG_KEYS,
  CONFIG_NAMESPACE,
  parseStackConfig,
  SECRET_KEYS,
  type StackConfig,
  StackConfigError,
} from "./config";
import type { StackSecrets } from "./roles";

export function loadStackConfig(): {
  config: StackConfig;
  secrets: StackSecrets;
  offer: Record<Environment, CredentialKind[]>;
} {
  const raw: Record<string, string | undefined> = {};
  for (const key of CONFIG_KEYS) {
    // The raw getter: `Config.get` would warn that a secret is read as plain text. The value is
    // only validated here; resources receive it through pulumi.secret below.
    raw[key] = pulumi.runtime.getConfig(`${CONFIG_NAMESPACE}:${key}`);
  }
  let config: StackConfig;
  let offer: Record<Environment, CredentialKind[]>;
  try {
    // portal.config.js decides which credential kinds each environment offers (ADR 0800).
    offer = offeredKindsOf();
    config = parseStackConfig(raw, plainSecretKeys(raw), offer);
  } catch (error) {
    // A RunError prints its message alone, without a stack trace.
    if (error instanceof StackConfigError || error instanceof PortalConfigError)
      throw new pulumi.RunError(error.message);
    throw error;
  }
  const secrets: StackSecrets = {
    sessionSecret: pulumi.secret(config.sessionSecret),
    auth0ClientSecret:
      "auth0ClientSecret" in config ? pulumi.secret(config.auth0ClientSecret) : undefined,
  };
  return { config, secrets, offer };
}

/**
 * Secret keys that are set but not marked secret (typed into the stack file, or set without
 * `--secret`): they would sit in plain text in git and in the state. Pulumi's runtime knows which
 * keys are secret (`PULUMI_CONFIG_SECRET_KEYS`, read by its internal `isConfigSecret`); when the
 * CLI does not say (no secret-keys list at all), nothing is claimed.
 */
function plainSecretKeys(raw: Record<string, string | undefined>): string[] {
  const isConfigSecret = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean })
    .isConfigSecret;
  if (!isConfigSecret) return [];
  const known =
    Boolean(process.env.PULUMI_CONFIG_SECRET_KEYS) ||
    Object.keys(pulumi.runtime.allConfig()).some((key) => isConfigSecret(key));
  if (!known) return [];
  return Object.keys(SECRET_KEYS).filter(
    (key) => raw[key] !== undefined && !isConfigSecret(`${CONFIG_NAMESPACE}:${key}`),
  );
}

/** The AWS region from the aws provider's config (`pulumi config set aws:region ...`). */
export function awsRegion(): string {
  const region = pulumi.runtime.getConfig("aws:region") ?? process.env.AWS_REGION;
  if (!region) {
    throw new pulumi.RunError(
      "aws:region is missing: pulumi config set aws:region <region, e.g. eu-west-1>",
    );
  }
  return region;
}
