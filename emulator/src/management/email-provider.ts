/**
 * The tenant's email provider (`/emails/provider`) and the rule it brings to email templates
 * (rule `email-templates.from-needs-provider`): a template's `from` is refused while no enabled
 * provider is configured, as Auth0 refuses it on a fresh tenant. A fresh tenant has none.
 */
import type { Doc } from "../collection";
import { ApiError, badRequest } from "../errors";
import type { Tenant } from "../tenant";
import { clone, type Handler, project } from "./context";

type Sections = { emailProvider?: Doc };

/** Credential fields an answer never shows (go-auth0's recorded GET shows no `smtp_pass`). */
const HIDDEN_CREDENTIALS = ["smtp_pass", "api_key", "secretAccessKey", "clientSecret"];

function provider(tenant: Tenant): Doc | undefined {
  return (tenant.store.sections as unknown as Sections).emailProvider;
}

function setProvider(tenant: Tenant, value: Doc | undefined): void {
  (tenant.store.sections as unknown as Sections).emailProvider = value;
  tenant.store.changed();
}

/** Auth0's recorded answer without a provider (go-auth0 `TestEmailProviderManager_Delete`). */
const missing = () =>
  new ApiError(404, "There is not a configured email provider", "inexistent_email_provider");

function shown(value: Doc): Doc {
  const out = clone(value);
  const credentials = out.credentials as Doc | undefined;
  if (credentials) for (const key of HIDDEN_CREDENTIALS) delete credentials[key];
  return out;
}

const getProvider: Handler = (ctx) => {
  const found = provider(ctx.tenant);
  if (!found) throw missing();
  return { status: 200, body: project(shown(found), ctx.query) };
};

/** A second POST is a 409 (ours: Auth0's answer is not recorded; never a silent replace). */
const createProvider: Handler = (ctx) => {
  if (provider(ctx.tenant))
    throw new ApiError(409, "An email provider is already configured", "email_provider_conflict");
  const made: Doc = { enabled: true, ...clone(ctx.body) };
  setProvider(ctx.tenant, made);
  return { status: 201, body: shown(made) };
};

const patchProvider: Handler = (ctx) => {
  const found = provider(ctx.tenant);
  if (!found) throw missing();
  const next: Doc = { ...clone(found), ...clone(ctx.body) };
  setProvider(ctx.tenant, next);
  return { status: 200, body: shown(next) };
};

/** 204 with or without a provider (recorded: a second DELETE answers 204 too). */
const deleteProvider: Handler = (ctx) => {
  setProvider(ctx.tenant, undefined);
  return { status: 204 };
};

/**
 * Rule `email-templates.from-needs-provider`: a create or update of an email template that sets
 * `from` needs an enabled email provider; otherwise Auth0's 400, and nothing is stored.
 */
export function withFromNeedsProvider(handler: Handler): Handler {
  return (ctx) => {
    // `null` (the schema allows it) leaves the from address to the provider; anything else,
    // even "", counts as setting one (the stricter reading).
    const from = ctx.body.from;
    if (from !== undefined && from !== null && provider(ctx.tenant)?.enabled !== true)
      throw badRequest("From address cannot be set without an enabled email provider.");
    return handler(ctx);
  };
}

export const EMAIL_PROVIDER_HANDLERS: Record<string, Handler> = {
  get_provider: getProvider,
  post_provider: createProvider,
  patch_provider: patchProvider,
  delete_provider: deleteProvider,
};
