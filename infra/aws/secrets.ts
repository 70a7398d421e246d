/**
 * Secrets Manager entries the portal's task reads at start (`secrets[].valueFrom`): one secret per
 * environment variable, its value set through a secret version (secret in the Pulumi state too).
 *
 * The task reads each secret pinned to its version (`<arn>:::<version-id>`, the ECS form
 * `arn:...:secret:<name>:<json-key>:<version-stage>:<version-id>`): ECS injects a secret only when
 * a task starts, so a new value must change the task definition, or running tasks keep the old
 * value while new (scaled-out) ones get the new one. A new value replaces the SecretVersion (its
 * only updatable input is the staging labels), hence a new version id, a new task definition
 * revision and a rolling deployment. Referencing the version also orders the task definition
 * after the value exists (a task started before it would fail: no AWSCURRENT version yet).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { statefulOptions } from "./stateful";

export interface PortalSecretsArgs {
  /** Environment variable name → secret value (pass secret Outputs). */
  readonly values: Record<string, pulumi.Input<string>>;
  /** Secret names are `<namePrefix>/<ENV_NAME>`, e.g. astral/production/AUTH0_SECRET. */
  readonly namePrefix: string;
  readonly retain: boolean;
  readonly tags: Record<string, string>;
}

export class PortalSecrets extends pulumi.ComponentResource {
  /** Environment variable name → the secret's ARN (what the execution role may read). */
  readonly arns: Record<string, pulumi.Output<string>> = {};
  /** Environment variable name → `<arn>:::<version-id>`, the task's `secrets[].valueFrom`. */
  readonly valueFroms: Record<string, pulumi.Output<string>> = {};

  constructor(name: string, args: PortalSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("astral:aws:PortalSecrets", name, {}, opts);
    for (const [envName, value] of Object.entries(args.values)) {
      const slug = envName.toLowerCase().replace(/_/g, "-");
      const secret = new aws.secretsmanager.Secret(
        `${name}-${slug}`,
        {
          // A prefix, not a name: Pulumi appends a suffix, so a replacement never waits for the
          // deleted name's recovery window.
          namePrefix: `${args.namePrefix}/${envName}-`,
          description: `Astral portal ${envName}. Managed by Pulumi.`,
          // Long-lived stacks keep 30 days to undo a deletion; previews delete at once.
          recoveryWindowInDays: args.retain ? 30 : 0,
          tags: args.tags,
        },
        { parent: this, ...statefulOptions(args.retain) },
      );
      const version = new aws.secretsmanager.SecretVersion(
        `${name}-${slug}`,
        { secretId: secret.id, secretString: pulumi.secret(value) },
        { parent: this },
      );
      this.arns[envName] = secret.arn;
      this.valueFroms[envName] = pulumi.interpolate`${version.secretArn}:::${version.versionId}`;
    }
    this.registerOutputs({ arns: this.arns, valueFroms: this.valueFroms });
  }
}
