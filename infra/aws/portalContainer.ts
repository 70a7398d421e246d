/** The portal's container: its name, port, health route, and its definition for ECS. */

export const CONTAINER_NAME = "portal";
export const CONTAINER_PORT = 3000;
/**
 * portal/app/api/ready/route.ts: the target group's check (the image's HEALTHCHECK is liveness,
 * `/api/health`). 503 while a new task reads its pages'
 * first reads (at most portal/lib/readiness.ts READY_AT_LATEST_MS, 75 s), 200 after.
 */
export const READINESS_PATH = "/api/ready";
/**
 * Seconds ECS ignores a new task's failing target checks: the readiness bound (75 s) plus the 2
 * passing checks 5 s apart that make it healthy again (frontDoor.ts), with a margin. Shorter, ECS
 * could stop a task the ALB had marked unhealthy while it was still warming up.
 */
export const HEALTH_CHECK_GRACE_SECONDS = 120;

/** The container definitions JSON: secrets only as `valueFrom`, never in `environment`. */
export function containerDefinitions(input: {
  image: string;
  environment: Record<string, string>;
  /** Name → Secrets Manager secret ARN, optionally `:<json-key>:<version-stage>:<version-id>`. */
  secretValueFroms: Record<string, string>;
  logGroup: string;
  region: string;
}): string {
  const overlap = Object.keys(input.environment).filter((name) => name in input.secretValueFroms);
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
      secrets: Object.entries(input.secretValueFroms)
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
