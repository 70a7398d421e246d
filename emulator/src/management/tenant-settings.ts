/** Tenant settings: what auth0-deploy-cli reads and writes around clients and APIs. */
import type { Doc } from "../collection";
import { clone, type Handler, mergeMetadata, project } from "./context";

export function defaultSettings(name: string): Doc {
  return {
    friendly_name: name,
    picture_url: "",
    support_email: "",
    support_url: "",
    allowed_logout_urls: [],
    session_lifetime: 168,
    idle_session_lifetime: 72,
    default_audience: "",
    default_directory: "",
    enabled_locales: ["en"],
    flags: {},
    sandbox_version: "22",
  };
}

export const getSettings: Handler = (ctx) => ({
  status: 200,
  body: project(clone(ctx.tenant.settings()), ctx.query),
});

export const patchSettings: Handler = (ctx) => {
  const { store } = ctx.tenant;
  store.settings = mergeMetadata(ctx.tenant.settings(), ctx.body);
  store.changed();
  return { status: 200, body: clone(store.settings) };
};

/**
 * Prompt settings (`GET`/`PATCH /prompts`). auth0-deploy-cli reads and writes them on every
 * import and export (even when prompts are not among its included types), so a tenant without
 * them would fail the tool's requests here where Auth0 answers them. Stored beside the other
 * records (`store.sections.prompts`); a new tenant reports Auth0's defaults
 * (https://auth0.com/docs/api/management/v2/prompts/get-prompts). Rules `prompts.read` and
 * `prompts.update`: scopes and shapes come from the vendored document (`read:prompts`,
 * `update:prompts`, `UpdateSettingsRequestContent`: one to three known properties, nothing else).
 */
const DEFAULT_PROMPTS: Doc = {
  universal_login_experience: "new",
  identifier_first: false,
  webauthn_platform_first_factor: false,
};

function prompts(ctx: Parameters<Handler>[0]): Doc {
  return (ctx.tenant.store.sections.prompts as Doc | undefined) ?? DEFAULT_PROMPTS;
}

export const getPrompts: Handler = (ctx) => ({ status: 200, body: clone(prompts(ctx)) });

export const patchPrompts: Handler = (ctx) => {
  const next = { ...prompts(ctx), ...clone(ctx.body) };
  ctx.tenant.store.sections.prompts = next as never;
  ctx.tenant.store.changed();
  return { status: 200, body: clone(next) };
};
