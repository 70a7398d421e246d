/**
 * PortalAdmin: a Pulumi dynamic resource that makes an existing or new user a portal admin
 * without owning the user (`auth0.User` would delete the whole user on destroy and cannot adopt
 * one). It acts with the Astral Backend's own credentials, passed as secret inputs.
 */
import { PORTAL_ADMIN_PERMISSION } from "@astral/contract";
import * as pulumi from "@pulumi/pulumi";
import {
  type AdminBackend,
  ensurePortalAdmin,
  isTokenRejected,
  type PortalAdminInputs,
  type PortalAdminState,
  readPortalAdmin,
  removePortalAdmin,
} from "./portalAdminOps";

/** The database connection Auth0 tenants start with. */
export const DEFAULT_CONNECTION = "Username-Password-Authentication";

type Outputs = PortalAdminInputs & PortalAdminState;

/**
 * The provider's functions only call the self-contained operations; the serialized closure is
 * those functions plus `require("auth0")`.
 */
export const portalAdminProvider: pulumi.dynamic.ResourceProvider<PortalAdminInputs, Outputs> = {
  async diff(_id, olds, news) {
    const replaces = (["email", "connection"] as const).filter(
      (key) => String(olds[key]).toLowerCase() !== String(news[key]).toLowerCase(),
    );
    const changes =
      replaces.length > 0 ||
      olds.permission !== news.permission ||
      JSON.stringify(olds.backend) !== JSON.stringify(news.backend) ||
      // A refresh found the permission removed: update grants it again.
      (olds as Partial<Outputs>).isAdmin === false;
    return { changes, replaces, deleteBeforeReplace: true };
  },
  async create(inputs) {
    const state = await ensurePortalAdmin(inputs);
    return { id: state.userId, outs: { ...inputs, ...state, isAdmin: true } };
  },
  async read(id, props) {
    if (!props) return { id, props };
    let found: Awaited<ReturnType<typeof readPortalAdmin>>;
    try {
      found = await readPortalAdmin(props.backend, id, props.permission);
    } catch (error) {
      // The state holds the backend secret of the last `up`: right after a rotation (runbook
      // rotate-astral-backend-secret) the tenant refuses it. Nothing can be read, so the state
      // stays as it is; the next `up` passes the new secret. Any other error still fails.
      if (isTokenRejected(error)) return { id, props };
      throw error;
    }
    // A user deleted outside Pulumi: report no id so the engine drops it from the state.
    if (!found.exists) return {};
    return { id, props: { ...props, email: found.email ?? props.email, isAdmin: found.isAdmin } };
  },
  async update(_id, olds, news) {
    // Re-assert the permission (someone may have removed it); keeps the original user.
    const state = await ensurePortalAdmin(news);
    return {
      outs: {
        ...news,
        ...state,
        createdUser: olds.createdUser || state.createdUser,
        isAdmin: true,
      },
    };
  },
  async delete(id, props) {
    await removePortalAdmin(props.backend, id, props.permission);
  },
};

export interface PortalAdminArgs {
  /** Email of the first admin. */
  readonly email: pulumi.Input<string>;
  /** Where a new user is created; defaults to Username-Password-Authentication. */
  readonly connection?: pulumi.Input<string>;
  /** The Astral Backend's credentials in the admin's tenant (secret). */
  readonly backend: pulumi.Input<AdminBackend>;
}

export class PortalAdmin extends pulumi.dynamic.Resource {
  declare readonly userId: pulumi.Output<string>;
  declare readonly email: pulumi.Output<string>;
  declare readonly createdUser: pulumi.Output<boolean>;
  declare readonly isAdmin: pulumi.Output<boolean>;

  constructor(name: string, args: PortalAdminArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      portalAdminProvider,
      name,
      {
        email: args.email,
        connection: args.connection ?? DEFAULT_CONNECTION,
        permission: PORTAL_ADMIN_PERMISSION,
        // The whole backend object is secret in the state, whatever the caller passed.
        backend: pulumi.secret(args.backend),
        userId: undefined,
        createdUser: undefined,
        isAdmin: undefined,
      },
      // `backend` is also listed so its outputs stay secret after a read.
      { ...opts, additionalSecretOutputs: ["backend"] },
      "astral", // type token: pulumi-nodejs:dynamic/astral:PortalAdmin
      "PortalAdmin",
    );
  }
}
