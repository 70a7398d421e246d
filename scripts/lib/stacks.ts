/**
 * Names shared with the Pulumi program (kept by infra: `Pulumi.yaml`, `stacks/`): the project,
 * its long-lived stacks, the config keys the operational scripts read or write, and the outputs
 * they use.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseDocument } from "yaml";
import { CONFIG_NAMESPACE } from "../../stacks/config";
import type { ConfigMap } from "./stack-backend";

export { IMAGE_DIGEST, STACK_ROLES, type StackRole } from "../../stacks/config";

export const PROJECT = "astral";
export const SANDBOX_STACK = "sandbox";
export const PRODUCTION_STACK = "production";

/** `astral:<key>`: a key of the program's config schema (`stacks/config.ts`), fully named. */
const key = <K extends string>(name: K) => `${CONFIG_NAMESPACE}:${name}` as const;

export const CONFIG_KEYS = {
  role: key("role"),
  imageDigest: key("imageDigest"),
  /** Production: the ECR repository it pulls the pinned digest from (pinned with the digest). */
  imageRepository: key("imageRepository"),
  sandboxStack: key("sandboxStack"),
  prNumber: key("prNumber"),
} as const;

/**
 * Stack tags the scripts and workflows set (Pulumi keeps tags beside the stack, visible in the
 * console and `pulumi stack tag ls`): what a preview is for and until when, and on sandbox and
 * production which commit and image they run, and who promoted and approved it.
 */
export const STACK_TAGS = {
  role: "astral:role",
  pr: "astral:pr",
  expiresAt: "astral:expires-at",
  gitSha: "astral:git-sha",
  imageDigest: "astral:image-digest",
  requestedBy: "astral:requested-by",
  approvedBy: "astral:approved-by",
} as const;

/** Other keys of the program's config schema (`stacks/config.ts`) the scripts derive or read. */
export const SANDBOX_KEYS = {
  imageTag: key("imageTag"),
  sessionSecret: key("sessionSecret"),
  domainName: key("domainName"),
  hostedZoneId: key("hostedZoneId"),
  previewDomain: key("previewDomain"),
} as const;

export const OUTPUTS = {
  portalUrl: "portalUrl",
  imageDigest: "imageDigest",
  imageRepository: "imageRepository",
  /** Sandbox: the tag it pushed the image it runs as (immutable in ECR). */
  imageTag: "imageTag",
  /** Previews, secret: their session secret, kept in their state across CI runs. */
  sessionSecret: "sessionSecret",
} as const;

/** The repository root (where `Pulumi.yaml` lives). */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");

export function stackFilePath(stack: string, dir = REPO_ROOT): string {
  return path.join(dir, `Pulumi.${stack}.yaml`);
}

/**
 * Reads a `Pulumi.<stack>.yaml` file's `config:` map as Pulumi hands it to a stack: strings as
 * they are, other scalars as strings, objects and arrays as JSON (what `config.requireObject`
 * parses); `secure:` values are flagged so callers can refuse to copy ciphertext.
 */
export function readStackConfig(file: string): { config: ConfigMap; secureKeys: string[] } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new Error(`cannot read stack config ${file}`);
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new Error(`${file} is not valid YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
  }
  const raw = (doc.toJS() ?? {}) as { config?: Record<string, unknown> };
  const config: ConfigMap = {};
  const secureKeys: string[] = [];
  for (const [key, value] of Object.entries(raw.config ?? {})) {
    if (isSecure(value)) {
      secureKeys.push(key);
      continue;
    }
    config[key] = {
      value:
        typeof value === "string"
          ? value
          : typeof value === "object"
            ? JSON.stringify(value)
            : String(value),
    };
  }
  return { config, secureKeys };
}

/** True when the value is, or contains anywhere (structured config), a `secure:` ciphertext. */
function isSecure(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (!Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value) return true;
  return Object.values(value).some(isSecure);
}

/**
 * The sandbox stack's name as StackReferences use it: `ASTRAL_SANDBOX_STACK`, else production's
 * `astral:sandboxStack` (e.g. `acme/astral/sandbox`), else plain `sandbox`.
 */
export function resolveSandboxStack(env = process.env, dir = REPO_ROOT): string {
  const explicit = env.ASTRAL_SANDBOX_STACK;
  if (explicit) return explicit;
  const production = stackFilePath(PRODUCTION_STACK, dir);
  if (existsSync(production)) {
    const value = readStackConfig(production).config[CONFIG_KEYS.sandboxStack]?.value;
    if (value) return value;
  }
  return SANDBOX_STACK;
}

/** A sibling stack of the same organization and project: (`acme/astral/sandbox`, `production`) → `acme/astral/production`. */
export function siblingStack(stack: string, name: string): string {
  const slash = stack.lastIndexOf("/");
  return slash < 0 ? name : `${stack.slice(0, slash + 1)}${name}`;
}
