/**
 * The portal on ECS Fargate behind an ALB: cluster, log group, execution and task roles, security
 * groups, load balancer (HTTPS with ACM + Route 53 when a domain is configured, HTTP redirected),
 * task definition whose secrets come only from Secrets Manager ARNs, service with a deployment
 * circuit breaker and rollback, and CPU target-tracking autoscaling.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Network } from "./network";
import { statefulOptions } from "./stateful";
import { PLAIN_HTTP_TAG } from "./tags";

export const CONTAINER_NAME = "portal";
export const CONTAINER_PORT = 3000;
/** portal/app/api/health/route.ts */
export const HEALTH_CHECK_PATH = "/api/health";
/** AWS's current recommended TLS policy for ALB HTTPS listeners (TLS 1.3 and 1.2). */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

export interface PortalDomain {
  /** e.g. portal.acme.example */
  domainName: string;
  /** The Route 53 zone holding it. */
  hostedZoneId: string;
}

export interface FrontDoorArgs {
  readonly network: Network;
  /** HTTPS on this name (ACM + Route 53); without it, plain HTTP on the ALB's DNS name. */
  readonly domain?: PortalDomain;
  readonly tags: Record<string, string>;
}

export interface PortalServiceArgs {
  readonly network: Network;
  readonly frontDoor: FrontDoor;
  /** Image reference, pinned by digest: `<repo>@sha256:...`. */
  readonly image: pulumi.Input<string>;
  /** Plain (non-secret) environment variables. */
  readonly environment: Record<string, pulumi.Input<string>>;
  /** Secret environment variables: name → Secrets Manager secret ARN. */
  readonly secretArns: Record<string, pulumi.Input<string>>;
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

/** The container definitions JSON: secrets only as `valueFrom`, never in `environment`. */
export function containerDefinitions(input: {
  image: string;
  environment: Record<string, string>;
  secretArns: Record<string, string>;
  logGroup: string;
  region: string;
}): string {
  const overlap = Object.keys(input.environment).filter((name) => name in input.secretArns);
  if (overlap.length > 0) {
    throw new Error(`Both plain and secret environment variables: ${overlap.join(", ")}`);
  }
  return JSON.stringify([
    {
      name: CONTAINER_NAME,
      image: input.image,
      essential: true,
      portMappings: [{ containerPort: CONTAINER_PORT, protocol: "tcp" }],
      environment: Object.entries(input.environment)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, value]) => ({ name, value })),
      secrets: Object.entries(input.secretArns)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, valueFrom]) => ({ name, valueFrom })),
      logConfiguration: {
        logDriver: "awslogs",
        options: {
          "awslogs-group": input.logGroup,
          "awslogs-region": input.region,
          "awslogs-stream-prefix": CONTAINER_NAME,
        },
      },
    },
  ]);
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

/**
 * What faces the internet: security groups, the ALB, its target group and listeners, and (with a
 * domain) the certificate and DNS records. Separate from the service so that the portal's URL
 * exists before the login application that must allow it, and the task definition after it.
 */
export class FrontDoor extends pulumi.ComponentResource {
  readonly url: pulumi.Output<string>;
  readonly loadBalancer: aws.lb.LoadBalancer;
  readonly targetGroup: aws.lb.TargetGroup;
  readonly listeners: aws.lb.Listener[] = [];
  readonly albSecurityGroup: aws.ec2.SecurityGroup;
  readonly taskSecurityGroup: aws.ec2.SecurityGroup;

  constructor(name: string, args: FrontDoorArgs, opts?: pulumi.ComponentResourceOptions) {
    super("astral:aws:FrontDoor", name, {}, opts);
    const parent = { parent: this };
    const tags = args.tags;
    const vpcId = args.network.vpc.id;

    this.albSecurityGroup = new aws.ec2.SecurityGroup(
      `${name}-alb`,
      {
        vpcId,
        description: "Astral portal ALB: HTTP and HTTPS from the internet",
        ingress: [80, 443].map((port) => ({
          protocol: "tcp",
          fromPort: port,
          toPort: port,
          cidrBlocks: ["0.0.0.0/0"],
          ipv6CidrBlocks: ["::/0"],
        })),
        egress: [
          {
            protocol: "tcp",
            fromPort: CONTAINER_PORT,
            toPort: CONTAINER_PORT,
            cidrBlocks: [args.network.vpc.cidrBlock],
          },
        ],
        tags,
      },
      parent,
    );
    this.taskSecurityGroup = new aws.ec2.SecurityGroup(
      `${name}-tasks`,
      {
        vpcId,
        description: "Astral portal tasks: only from the ALB",
        ingress: [
          {
            protocol: "tcp",
            fromPort: CONTAINER_PORT,
            toPort: CONTAINER_PORT,
            securityGroups: [this.albSecurityGroup.id],
          },
        ],
        // Out to ECR, Secrets Manager, CloudWatch Logs and Auth0 (HTTPS), and DNS.
        egress: [
          { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] },
          { protocol: "udp", fromPort: 53, toPort: 53, cidrBlocks: ["0.0.0.0/0"] },
        ],
        tags,
      },
      parent,
    );

    this.loadBalancer = new aws.lb.LoadBalancer(
      `${name}-alb`,
      {
        loadBalancerType: "application",
        securityGroups: [this.albSecurityGroup.id],
        subnets: args.network.publicSubnets.map((s) => s.id),
        dropInvalidHeaderFields: true,
        tags,
      },
      parent,
    );
    this.targetGroup = new aws.lb.TargetGroup(
      `${name}-tg`,
      {
        vpcId,
        port: CONTAINER_PORT,
        protocol: "HTTP",
        targetType: "ip",
        deregistrationDelay: 30,
        // The portal's liveness route: no Management API call, 503 when its config is invalid.
        healthCheck: {
          path: HEALTH_CHECK_PATH,
          matcher: "200",
          interval: 15,
          healthyThreshold: 2,
          unhealthyThreshold: 3,
        },
        tags,
      },
      parent,
    );

    if (args.domain) {
      const certificateArn = this.certificate(name, args.domain, tags);
      this.listeners.push(
        new aws.lb.Listener(
          `${name}-https`,
          {
            loadBalancerArn: this.loadBalancer.arn,
            port: 443,
            protocol: "HTTPS",
            sslPolicy: TLS_POLICY,
            certificateArn,
            defaultActions: [{ type: "forward", targetGroupArn: this.targetGroup.arn }],
            tags,
          },
          parent,
        ),
        new aws.lb.Listener(
          `${name}-http`,
          {
            loadBalancerArn: this.loadBalancer.arn,
            port: 80,
            protocol: "HTTP",
            defaultActions: [
              {
                type: "redirect",
                redirect: { port: "443", protocol: "HTTPS", statusCode: "HTTP_301" },
              },
            ],
            tags,
          },
          parent,
        ),
      );
      new aws.route53.Record(
        `${name}-alias`,
        {
          zoneId: args.domain.hostedZoneId,
          name: args.domain.domainName,
          type: "A",
          aliases: [
            {
              name: this.loadBalancer.dnsName,
              zoneId: this.loadBalancer.zoneId,
              evaluateTargetHealth: true,
            },
          ],
        },
        parent,
      );
      this.url = pulumi.output(`https://${args.domain.domainName}`);
    } else {
      // No domain, no certificate: plain HTTP on the ALB's DNS name (previews only; the
      // policies reject it unless this tag says it is deliberate).
      this.listeners.push(
        new aws.lb.Listener(
          `${name}-http`,
          {
            loadBalancerArn: this.loadBalancer.arn,
            port: 80,
            protocol: "HTTP",
            defaultActions: [{ type: "forward", targetGroupArn: this.targetGroup.arn }],
            tags: { ...tags, [PLAIN_HTTP_TAG]: "no-domain" },
          },
          parent,
        ),
      );
      this.url = pulumi.interpolate`http://${this.loadBalancer.dnsName}`;
    }
    this.registerOutputs({ url: this.url });
  }

  /** A DNS-validated ACM certificate for the domain; returns the validated certificate's ARN. */
  private certificate(
    name: string,
    domain: PortalDomain,
    tags: Record<string, string>,
  ): pulumi.Output<string> {
    const certificate = new aws.acm.Certificate(
      `${name}-cert`,
      { domainName: domain.domainName, validationMethod: "DNS", tags },
      { parent: this },
    );
    const option = certificate.domainValidationOptions.apply((options) => {
      const first = options[0];
      if (!first) throw new Error(`ACM returned no validation record for ${domain.domainName}`);
      return first;
    });
    const record = new aws.route53.Record(
      `${name}-cert-validation`,
      {
        zoneId: domain.hostedZoneId,
        name: option.apply((o) => o.resourceRecordName ?? ""),
        type: option.apply((o) => o.resourceRecordType ?? "CNAME"),
        records: [option.apply((o) => o.resourceRecordValue ?? "")],
        ttl: 60,
        allowOverwrite: true,
      },
      { parent: this },
    );
    const validation = new aws.acm.CertificateValidation(
      `${name}-cert`,
      { certificateArn: certificate.arn, validationRecordFqdns: [record.fqdn] },
      { parent: this },
    );
    return validation.certificateArn;
  }
}

/** The portal's ECS Fargate service and what it runs with. */
export class PortalService extends pulumi.ComponentResource {
  readonly taskDefinition: aws.ecs.TaskDefinition;
  readonly executionRole: aws.iam.Role;
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
    new aws.iam.RolePolicyAttachment(
      `${name}-execution-ecs`,
      {
        role: this.executionRole.name,
        policyArn: "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
      },
      parent,
    );
    new aws.iam.RolePolicy(
      `${name}-execution-secrets`,
      {
        role: this.executionRole.id,
        policy: pulumi.all(Object.values(args.secretArns)).apply(secretsReadPolicy),
      },
      parent,
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
            pulumi.output(args.secretArns),
            this.logGroup.name,
            args.region,
          ])
          .apply(([image, environment, secretArns, logGroup, region]) =>
            containerDefinitions({ image, environment, secretArns, logGroup, region }),
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
          subnets: args.network.taskSubnets.map((s) => s.id),
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
        healthCheckGracePeriodSeconds: 60,
        propagateTags: "SERVICE",
        waitForSteadyState: true,
        tags,
      },
      // The target group must be attached to a listener first; autoscaling owns the count after.
      { parent: this, dependsOn: args.frontDoor.listeners, ignoreChanges: ["desiredCount"] },
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
