/**
 * `npm run bench:infra`: per stack role, the resource count and the program's
 * evaluation time under Pulumi mocks (each role in its own process, 3 runs, median), then the
 * critical path of a first `pulumi up` over the resource graph the program registered (each
 * resource's dependencies, components expanded to their resources), with typical creation times
 * per resource type (estimates, sources in the comments of SECONDS below), and a warm image-only
 * deploy over the same graph: the image's `next build` step timed here, the rest on paper
 * (`warmSeconds`). `npm run bench:infra` runs it.
 */
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { DEREGISTRATION_DELAY_SECONDS, TARGET_HEALTH_CHECK } from "../infra/aws/frontDoor";
import { DIST_DIR as BENCH_DIST_DIR } from "./bench/load/standalone";
import { buildStandalone, PORTAL_DIR } from "./lib/standalone-portal";

type Role = "sandbox" | "production" | "preview";
const ROLES: Role[] = ["sandbox", "production", "preview"];
const RUNS = 3;

const common = { "aws:region": "eu-west-1", sessionSecret: "b".repeat(64) };
const owner = {
  auth0Plan: "free",
  auth0ClientId: "bootstrapClientId",
  auth0ClientSecret: "bench-secret",
  adminEmail: "admin@fixture.test",
  domainName: "portal.fixture.test",
  hostedZoneId: "Z0123456789ABC",
  apiIdentifier: "https://api.fixture.test/",
};
const CONFIGS: Record<Role, Record<string, string>> = {
  sandbox: {
    ...common,
    ...owner,
    role: "sandbox",
    auth0Domain: "fixture-sandbox.eu.auth0.com",
    imageTag: "abc1234-4711-1",
  },
  production: {
    ...common,
    ...owner,
    role: "production",
    auth0Domain: "fixture.eu.auth0.com",
    imageDigest: `sha256:${"a".repeat(64)}`,
    imageRepository: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/portal-repo-1a2b3c",
    sandboxStack: "fixture-org/astral/sandbox",
  },
  preview: {
    ...common,
    role: "preview",
    prNumber: "7",
    imageTag: "abc1234-4711-1",
    sandboxStack: "fixture-org/astral/sandbox",
  },
};

/** Child: evaluate one role's program under mocks and print {resources, ms}. */
async function child(role: Role): Promise<void> {
  const harness = await import("../stacks/test/harness.js");
  await harness.setupMocks(role === "preview" ? "pr-7" : role, CONFIGS[role]);
  const start = performance.now();
  const program = (await import("../stacks/index.js")) as unknown as {
    default: { portalUrl: unknown };
  };
  await harness.resolve(program.default.portalUrl as never);
  await harness.settle();
  // settle() waits 3 × 15 ms of quiet to be sure registration ended; not part of the program.
  const ms = performance.now() - start - 45;
  const custom = harness.records.filter((r: { type: string }) => !r.type.startsWith("astral:"));
  console.log(
    JSON.stringify({
      resources: custom.length,
      components: harness.records.length - custom.length,
      ms,
      graph: harness.graphNodes,
    }),
  );
}

/**
 * Typical creation times by resource type, in seconds. Estimates for planning, not measurements
 * (there is no AWS here); any type not listed takes SECONDS_OTHER:
 * - NAT gateway: pending → available usually 1–2 min; the Terraform AWS provider waits up to
 *   10 min (default create timeout).
 * - ALB: provisioning → active usually 2–3 min (ELBv2 DescribeLoadBalancers State).
 * - ACM DNS validation after the Route 53 record exists: usually a few minutes; the program waits
 *   20 min at most (infra/aws/frontDoor.ts CERTIFICATE_VALIDATION_TIMEOUT).
 * - Route 53 record: change INSYNC typically within 60 s.
 * - Image build + push: the portal's Next.js build on a 2-vCPU CI runner, 2–4 min cold.
 * - ECS service steady state: task placement + image pull (~30–60 s for ~150 MB) + app start +
 *   ALB health checks (interval 5 s × healthy threshold 2 = 10 s) + margin; ~2–3 min.
 * - Auth0 resources and Secrets Manager: seconds each.
 */
const SECONDS: Record<string, number> = {
  "aws:ec2/vpc:Vpc": 10,
  "aws:ec2/subnet:Subnet": 5,
  "aws:ec2/natGateway:NatGateway": 105,
  "aws:lb/loadBalancer:LoadBalancer": 150,
  "aws:acm/certificate:Certificate": 10,
  "aws:route53/record:Record": 60,
  "aws:acm/certificateValidation:CertificateValidation": 180,
  "aws:lb/listener:Listener": 5,
  "docker-build:index:Image": 180,
  "aws:secretsmanager/secret:Secret": 5,
  "aws:secretsmanager/secretVersion:SecretVersion": 5,
  "aws:ecs/taskDefinition:TaskDefinition": 5,
  "aws:ecs/service:Service": 150,
};
const SECONDS_OTHER = 2;

/**
 * A warm image-only deploy (a portal source change, sandbox or preview): the image rebuilt from
 * the registry cache, a new task definition revision, and a rolling update of the service
 * (minimum healthy 100 %, maximum 200 %: the new task starts beside the old one).
 * - The image: `npm ci`'s layer hits the cache and `next build` reruns. That step is MEASURED
 *   here (`measureBuildStep`: the Dockerfile's command, type check included, from an empty build
 *   folder as in a fresh build stage, on this machine's 2 cores, like a 2-vCPU runner). Around
 *   it, on paper (IMAGE_AROUND_BUILD): BuildKit pulls the cached dependency layer it builds on,
 *   sends the context, exports the runtime stage's changed layers and pushes them (~30 s).
 * - The rollout, on paper: the new task placed and pulled (~30 s; Fargate caches no layers),
 *   started (~10 s), healthy (the target group's checks, from infra/aws/frontDoor.ts), then the
 *   old one drained (the deregistration delay, which cannot go lower safely: its comment says
 *   why) and stopped, which is when ECS reports the service steady and `pulumi up` ends.
 * - The engine's own start: program evaluation and provider start-up (~20 s).
 */
const IMAGE_AROUND_BUILD = 30;
const SERVICE_ROLLOUT =
  30 +
  10 +
  TARGET_HEALTH_CHECK.interval * TARGET_HEALTH_CHECK.healthyThreshold +
  DEREGISTRATION_DELAY_SECONDS;
function warmSeconds(buildStepSeconds: number): Record<string, number> {
  return {
    engine: 20,
    "docker-build:index:Image": buildStepSeconds + IMAGE_AROUND_BUILD,
    "aws:ecs/taskDefinition:TaskDefinition": 5,
    "aws:ecs/service:Service": SERVICE_ROLLOUT,
  };
}

/**
 * The image build's step that a portal change reruns, timed: `npm run build` in the portal
 * workspace as portal/Dockerfile runs it (a fixed build id, telemetry off, and the type check:
 * images never skip it), into an emptied build folder: a build stage starts without `.next`, so
 * without Next's build cache. The load benchmark's folder, which it rebuilds anyway.
 */
function measureBuildStep(): number {
  const env: NodeJS.ProcessEnv = { ...process.env, ASTRAL_BUILD_ID: "bench-infra" };
  delete env.ASTRAL_PORTAL_TYPECHECKED;
  rmSync(path.join(PORTAL_DIR, BENCH_DIST_DIR), { recursive: true, force: true });
  const started = performance.now();
  buildStandalone(BENCH_DIST_DIR, env);
  return (performance.now() - started) / 1000;
}

interface Node {
  key: string;
  type: string;
  parent: string;
  dependencies: string[];
  custom: boolean;
}

/** The program's own graph: each custom resource's dependencies, components expanded. */
function customGraph(nodes: Node[]): Map<string, { type: string; deps: string[] }> {
  const children = new Map<string, string[]>();
  for (const n of nodes) children.set(n.parent, [...(children.get(n.parent) ?? []), n.key]);
  const byKey = new Map(nodes.map((n) => [n.key, n]));
  const customsUnder = (key: string): string[] => {
    const node = byKey.get(key);
    if (!node) return [];
    if (node.custom) return [key];
    return (children.get(key) ?? []).flatMap(customsUnder);
  };
  const graph = new Map<string, { type: string; deps: string[] }>();
  for (const n of nodes.filter((n) => n.custom)) {
    const deps = [...new Set(n.dependencies.flatMap(customsUnder))].filter((d) => d !== n.key);
    graph.set(n.key, { type: n.type, deps });
  }
  return graph;
}

function criticalPath(
  graph: Map<string, { type: string; deps: string[] }>,
  seconds: (type: string) => number,
): { path: string[]; seconds: number } {
  const memo = new Map<string, { path: string[]; seconds: number }>();
  const longest = (key: string): { path: string[]; seconds: number } => {
    const known = memo.get(key);
    if (known) return known;
    let best = { path: [] as string[], seconds: 0 };
    for (const dep of graph.get(key)?.deps ?? []) {
      const p = longest(dep);
      if (p.seconds > best.seconds) best = p;
    }
    const own = seconds(graph.get(key)?.type ?? "");
    const result = { path: [...best.path, key], seconds: best.seconds + own };
    memo.set(key, result);
    return result;
  };
  return [...graph.keys()].map(longest).reduce((a, b) => (b.seconds > a.seconds ? b : a));
}

const fmt = (s: number) => `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s`;

function parent(): void {
  const root = path.resolve(__dirname, "..");
  const tsx = path.join(root, "node_modules", ".bin", "tsx");
  console.log("Astral infra benchmark (Pulumi mocks; no AWS, no Auth0)\n");
  console.log("role        resources  components  evaluation (median of 3)");
  const graphs: Partial<Record<Role, Node[]>> = {};
  for (const role of ROLES) {
    const runs = Array.from({ length: RUNS }, () =>
      JSON.parse(
        execFileSync(tsx, [__filename, "--child", role], { cwd: root, encoding: "utf8" })
          .trim()
          .split("\n")
          .at(-1) ?? "{}",
      ),
    );
    const ms = runs.map((r) => r.ms as number).sort((a, b) => a - b)[1] ?? 0;
    graphs[role] = runs[0].graph as Node[];
    console.log(
      `${role.padEnd(11)} ${String(runs[0].resources).padStart(9)}  ${String(runs[0].components).padStart(10)}  ${ms.toFixed(0)} ms`,
    );
  }
  console.log(
    "\nCritical path of a first `pulumi up` over the program's resource graph (typical times, estimates; see SECONDS in this file)",
  );
  const label = (key: string) => key.split("::")[1] ?? key;
  for (const role of ROLES) {
    const graph = customGraph(graphs[role] ?? []);
    const first = criticalPath(graph, (type) => SECONDS[type] ?? SECONDS_OTHER);
    console.log(
      `${role.padEnd(11)} ${fmt(first.seconds)}  ${first.path
        .filter((k) => (SECONDS[graph.get(k)?.type ?? ""] ?? SECONDS_OTHER) > SECONDS_OTHER)
        .map((k) => `${label(k)} (${fmt(SECONDS[graph.get(k)?.type ?? ""] ?? 0)})`)
        .join(" → ")}`,
    );
  }
  const buildStep = measureBuildStep();
  const WARM = warmSeconds(buildStep);
  console.log(
    `\nA warm image-only deploy (portal source changed; registry cache warm): the image's \`next build\` step measured here, ${buildStep.toFixed(1)} s, the rest on paper:`,
  );
  for (const role of ["sandbox", "preview"] as const) {
    const graph = customGraph(graphs[role] ?? []);
    // Only what an image change touches runs; everything else is unchanged (0 s).
    const warm = criticalPath(graph, (type) => WARM[type] ?? 0);
    const total = warm.seconds + (WARM.engine ?? 0);
    console.log(
      `${role.padEnd(11)} ${fmt(total)}  engine (${fmt(WARM.engine ?? 0)}) → ${warm.path
        .filter((k) => (WARM[graph.get(k)?.type ?? ""] ?? 0) > 0)
        .map((k) => `${label(k)} (${fmt(WARM[graph.get(k)?.type ?? ""] ?? 0)})`)
        .join(" → ")}`,
    );
  }
  console.log("\nTargets: a first deploy well under 10 minutes; a warm image-only deploy under 3.");
}

const childIndex = process.argv.indexOf("--child");
if (childIndex >= 0) {
  child(process.argv[childIndex + 1] as Role).then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
} else {
  parent();
}
