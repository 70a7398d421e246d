/**
 * What faces the internet: security groups, the ALB, its target group and listeners (HTTPS with
 * an ACM certificate validated in Route 53 when a domain is configured, HTTP redirected to it),
 * and the DNS alias.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PortalNetwork } from "./network";
import { CONTAINER_PORT, READINESS_PATH } from "./portalContainer";
import { PLAIN_HTTP_TAG } from "./tags";

/**
 * How long `pulumi up` waits for ACM to validate the certificate. The provider's default is 75
 * minutes; a zone that is not delegated (or not the domain's) never validates, so fail sooner.
 * DNS validation normally completes in a few minutes.
 */
export const CERTIFICATE_VALIDATION_TIMEOUT = "20m";

/**
 * How long the ALB lets an old task finish its requests before a deploy stops it. Not shorter:
 * a portal request may wait on the Management API for 15 s per call
 * (portal/lib/management/tenant.ts `timeoutInSeconds`), and a deploy must not cut it off.
 */
export const DEREGISTRATION_DELAY_SECONDS = 30;
/**
 * The target group's checks of `/api/ready` (no Management call, answered in milliseconds):
 * 5 s apart, the ALB's shortest interval, so a new task serves after 2 passing checks (10 s, not
 * the 30 s that 15 s apart took; a rolling deploy waits for them), while 9 failures in a row
 * (45 s, as before) take one out, so a task busy for a moment is not pulled. The timeout must be
 * shorter than the interval (AWS refuses the target group otherwise; its default, 5 s, is not).
 * AWS's ranges: interval 5-300 s, timeout 2-120 s, thresholds 2-10.
 */
export const TARGET_HEALTH_CHECK = {
  interval: 5,
  timeout: 3,
  healthyThreshold: 2,
  unhealthyThreshold: 9,
};

/**
 * The domain must be the zone's apex or under it: a record for it in another zone is never
 * answered, and ACM would wait for validation until the timeout. Returns the problem, or null.
 */
export function zoneProblem(domainName: string, zoneId: string, zoneName: string): string | null {
  const zone = zoneName.replace(/\.$/, "").toLowerCase();
  const domain = domainName.toLowerCase();
  if (domain === zone || domain.endsWith(`.${zone}`)) return null;
  return `astral:domainName ${domainName} is not in hosted zone ${zoneId} (${zone}): set astral:hostedZoneId to the zone that holds it (previews: sandbox's zone must hold astral:previewDomain)`;
}

/** AWS's current recommended TLS policy for ALB HTTPS listeners (TLS 1.3 and 1.2). */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

export interface PortalDomain {
  /** e.g. portal.acme.example */
  domainName: string;
  /** The Route 53 zone holding it. */
  hostedZoneId: string;
}

export interface FrontDoorArgs {
  readonly network: PortalNetwork;
  /** HTTPS on this name (ACM + Route 53); without it, plain HTTP on the ALB's DNS name. */
  readonly domain?: PortalDomain;
  readonly tags: Record<string, string>;
  /** ALB deletion protection (production): `pulumi destroy` stops at it until it is turned off. */
  readonly deletionProtection?: boolean;
}

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
    const vpcId = args.network.vpcId;

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
            cidrBlocks: [args.network.vpcCidrBlock],
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
        subnets: args.network.publicSubnetIds,
        dropInvalidHeaderFields: true,
        enableDeletionProtection: args.deletionProtection ?? false,
        tags,
      },
      { parent: this, dependsOn: args.network.internetRoutes ?? [] },
    );
    this.targetGroup = new aws.lb.TargetGroup(
      `${name}-tg`,
      {
        vpcId,
        port: CONTAINER_PORT,
        protocol: "HTTP",
        targetType: "ip",
        deregistrationDelay: DEREGISTRATION_DELAY_SECONDS,
        // The portal's readiness route: no Management API call; 503 while a new task warms up
        // (at most 75 s) or when its config is invalid.
        healthCheck: { path: READINESS_PATH, matcher: "200", ...TARGET_HEALTH_CHECK },
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
    // Checked before the certificate is requested: a wrong zone fails here, by name, at once.
    const zone = aws.route53.getZoneOutput({ zoneId: domain.hostedZoneId }, { parent: this });
    const domainName = zone.name.apply((zoneName) => {
      const problem = zoneProblem(domain.domainName, domain.hostedZoneId, zoneName);
      if (problem) throw new Error(problem);
      return domain.domainName;
    });
    const certificate = new aws.acm.Certificate(
      `${name}-cert`,
      { domainName, validationMethod: "DNS", tags },
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
      { parent: this, customTimeouts: { create: CERTIFICATE_VALIDATION_TIMEOUT } },
    );
    return validation.certificateArn;
  }
}
