/**
 * The `apis` section of `portal.config.js`: the APIs the portal documents at /reference/<id>
 * (lib/reference/, docs/decisions/0900-api-reference.md), and the check that each one's
 * audience is one its environment grants.
 */
import { z } from "zod";

/** Where an API's requests go in one environment, and the audience its tokens carry there. */
const apiEnvironment = z.strictObject({
  /** The audience (API identifier) of this environment's tokens; one of `environments[].apis`. */
  audience: z.string().url("Audience must be the API identifier URL, e.g. https://api.example.com"),
  /**
   * The API's base URL here. Sandbox: where "Try it" sends requests (through the portal, which
   * forwards to this URL only). Production: shown in code samples; the portal sends nothing there.
   */
  baseUrl: z
    .string()
    .url("baseUrl must be an absolute URL")
    .refine(
      (v) => v.startsWith("https://") || /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?(\/|$)/.test(v),
      "baseUrl must be an https:// URL (http:// only for localhost)",
    )
    .refine((v) => !/[?#]/.test(v), "baseUrl has no query or fragment"),
});

/** An API whose reference the portal shows at /reference/<id> (lib/reference/). */
const apiReference = z.strictObject({
  /** The URL segment: /reference/<id>. Lower-case letters, digits and dashes. */
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "id must be lower-case letters, digits and -"),
  title: z.string().min(1),
  description: z.string().default(""),
  /**
   * The OpenAPI 3.x document: a file path (relative to this config file), shipped with the
   * portal, or an https:// URL the server fetches. Validated at start-up.
   */
  openapi: z
    .string()
    .min(1)
    .refine(
      (v) => !/^[a-z][a-z0-9+.-]*:/i.test(v) || v.startsWith("https://"),
      "openapi must be a file path or an https:// URL",
    ),
  /** Per environment id: its audience and base URL. An environment left out shows no samples. */
  environments: z
    .strictObject({ sandbox: apiEnvironment.optional(), production: apiEnvironment.optional() })
    .refine(
      (e) => e.sandbox || e.production,
      "Name at least one environment (sandbox, production)",
    ),
});

/** APIs with a reference page (/reference/<id>) and "Try it" on Sandbox credentials. */
export const apiReferences = z
  .array(apiReference)
  .default([])
  .refine(
    (apis) => new Set(apis.map((a) => a.id)).size === apis.length,
    "Each API id may appear once",
  );

/**
 * An API's audience in an environment must be one that environment grants, or no credential
 * there could ever call it.
 */
export function checkApiAudiences(
  config: {
    apis: z.output<typeof apiReferences>;
    environments: { id: string; apis: { audience: string }[] }[];
  },
  ctx: z.RefinementCtx,
): void {
  config.apis.forEach((api, index) => {
    for (const [id, target] of Object.entries(api.environments)) {
      if (!target) continue;
      const environment = config.environments.find((e) => e.id === id);
      const path = ["apis", index, "environments", id, "audience"];
      if (!environment)
        ctx.addIssue({ code: "custom", path, message: `environment ${id} is not offered` });
      else if (!environment.apis.some((a) => a.audience === target.audience))
        ctx.addIssue({
          code: "custom",
          path,
          message: `${target.audience} is not among environments[${id}].apis`,
        });
    }
  });
}
