/**
 * The portal on ECS Fargate: cluster, log group, execution and task roles, the task definition
 * whose secrets come only from Secrets Manager ARNs, the service with a deployment circuit breaker
 * and rollback behind the front door's target group, and CPU target-tracking autoscaling.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { FrontDoor } from "./frontDoor";
import type { PortalNetwork } from "./network";
import {
  CONTAINER_NAME,
  CONTAINER_PORT,
  containerDefinitions,
  HEALTH_CHECK_GRACE_SECONDS,
} from "./portalContainer";
import { statefulOptions } from "./stateful";

export interface PortalServiceArgs {
  readonly network: PortalNetwork;
  readonly frontDoor: FrontDoor;
  /** Image reference, pinned by digest: `<repo>@sha256:...`. */
  readonly image: pulumi.Input<string>;
  /** Plain (non-secret) environment variables. */
  readonly environment: Record<string, pulumi.Input<string>>;
  /** Secret environment variables: name → Secrets Manager secret ARN (read by the execution role). */
  readonly secretArns: Record<string, pulumi.Input<string>>;
  /** Secret environment variables: name → `secrets[].valueFrom` (the ARN pinned to a version). */
  readonly secretValueFroms: Record<string, pulumi.Input<string>>;
  readonly cpu: string;
  readonly memory: string;
  readonly minTasks: number;
  readonly maxTasks: number;
  readonly logRetentionDays: number;
  readonly region: pulumi.Input<string>;
  /** Keep the log group on delete (long-lived stacks). */
  readonly retain: boolean;
  /** Task definition family, unique per stack in the account (families are account-wide). */
  readonly family: string;
  readonly tags: Record<string, string>;
}

/** The execution role's own policy: read exactly these secrets, nothing else. */
export function secretsReadPolicy(secretArns: string[]): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ReadPortalSecrets",
        Effect: "Allow",
        Action: ["secretsmanager:GetSecretValue"],
        Resource: [...secretArns].sort(),
      },
    ],
  });
}

const ecsTasksAssumeRole = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { Service: "ecs-tasks.amazonaws.com" },
      Action: "sts:AssumeRole",
    },
  ],
});

/** The portal's ECS Fargate service and what it runs with. */
export class PortalService extends pulumi.ComponentResource {
  readonly taskDefinition: aws.ecs.TaskDefinition;
  readonly executionRole: aws.iam.Role;
  /** What the execution role may do; the service waits for all of them. */
  readonly executionPolicies: pulumi.Resource[];
  readonly taskRole: aws.iam.Role;
  readonly service: aws.ecs.Service;
  readonly logGroup: aws.cloudwatch.LogGroup;

  constructor(name: string, args: PortalServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("astral:aws:PortalService", name, {}, opts);
    if (args.minTasks > args.maxTasks) {
      throw new Error(
        `PortalService ${name}: minTasks ${args.minTasks} > maxTasks ${args.maxTasks}`,
      );
    }
    const parent = { parent: this };
    const tags = args.tags;

    const cluster = new aws.ecs.Cluster(
      `${name}-cluster`,
      { settings: [{ name: "containerInsights", value: "enabled" }], tags },
      parent,
    );
    this.logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { retentionInDays: args.logRetentionDays, tags },
      { parent: this, ...statefulOptions(args.retain) },
    );

    // Execution role: used by ECS to pull the image, write logs and fetch the secrets.
    this.executionRole = new aws.iam.Role(
      `${name}-execution`,
      { assumeRolePolicy: ecsTasksAssumeRole, tags },
      parent,
    );
    // The execution role's permissions, created before the service (dependsOn below): IAM is
    // eventually consistent, and a first task started before them fails on the ECR pull or
    // GetSecretValue.
    this.executionPolicies = [];
    this.executionPolicies.push(
      new aws.iam.RolePolicyAttachment(
        `${name}-execution-ecs`,
        {
          role: this.executionRole.name,
          policyArn: "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
        },
        parent,
      ),
      new aws.iam.RolePolicy(
        `${name}-execution-secrets`,
        {
          role: this.executionRole.id,
          policy: pulumi.all(Object.values(args.secretArns)).apply(secretsReadPolicy),
        },
        parent,
      ),
    );
    // Task role: the portal itself calls only Auth0 (over the internet), no AWS API.
    this.taskRole = new aws.iam.Role(
      `${name}-task`,
      { assumeRolePolicy: ecsTasksAssumeRole, tags },
      parent,
    );

    this.taskDefinition = new aws.ecs.TaskDefinition(
      `${name}-task`,
      {
        family: args.family,
        cpu: args.cpu,
        memory: args.memory,
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
        executionRoleArn: this.executionRole.arn,
        taskRoleArn: this.taskRole.arn,
        containerDefinitions: pulumi
          .all([
            args.image,
            pulumi.output(args.environment),
            pulumi.output(args.secretValueFroms),
            this.logGroup.name,
            args.region,
          ])
          .apply(([image, environment, secretValueFroms, logGroup, region]) =>
            containerDefinitions({ image, environment, secretValueFroms, logGroup, region }),
          ),
        tags,
      },
      parent,
    );

    this.service = new aws.ecs.Service(
      `${name}-service`,
      {
        cluster: cluster.arn,
        taskDefinition: this.taskDefinition.arn,
        launchType: "FARGATE",
        desiredCount: args.minTasks,
        networkConfiguration: {
          subnets: args.network.taskSubnetIds,
          securityGroups: [args.frontDoor.taskSecurityGroup.id],
          assignPublicIp: args.network.assignPublicIp,
        },
        loadBalancers: [
          {
            targetGroupArn: args.frontDoor.targetGroup.arn,
            containerName: CONTAINER_NAME,
            containerPort: CONTAINER_PORT,
          },
        ],
        deploymentCircuitBreaker: { enable: true, rollback: true },
        deploymentMinimumHealthyPercent: 100,
        deploymentMaximumPercent: 200,
        healthCheckGracePeriodSeconds: HEALTH_CHECK_GRACE_SECONDS,
        propagateTags: "SERVICE",
        waitForSteadyState: true,
        tags,
      },
      // The target group must be attached to a listener first; autoscaling owns the count after.
      {
        parent: this,
        // And the routes out (with a NAT gateway: its routes), or the first tasks cannot pull.
        dependsOn: [
          ...args.frontDoor.listeners,
          ...this.executionPolicies,
          ...(args.network.taskRoutes ?? []),
        ],
        ignoreChanges: ["desiredCount"],
      },
    );

    const scaling = new aws.appautoscaling.Target(
      `${name}-scaling`,
      {
        serviceNamespace: "ecs",
        scalableDimension: "ecs:service:DesiredCount",
        resourceId: pulumi.interpolate`service/${cluster.name}/${this.service.name}`,
        minCapacity: args.minTasks,
        maxCapacity: args.maxTasks,
      },
      parent,
    );
    new aws.appautoscaling.Policy(
      `${name}-cpu`,
      {
        policyType: "TargetTrackingScaling",
        serviceNamespace: scaling.serviceNamespace,
        scalableDimension: scaling.scalableDimension,
        resourceId: scaling.resourceId,
        targetTrackingScalingPolicyConfiguration: {
          predefinedMetricSpecification: {
            predefinedMetricType: "ECSServiceAverageCPUUtilization",
          },
          targetValue: 60,
          scaleInCooldown: 120,
          scaleOutCooldown: 60,
        },
      },
      parent,
    );
    this.registerOutputs({ taskDefinitionArn: this.taskDefinition.arn });
  }
}
