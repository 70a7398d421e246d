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
