/**
 * `npx tsx scripts/bench-infra.ts`: per stack role, the resource count and the program's
 * evaluation time under Pulumi mocks (each role in its own process, 3 runs, median), then the
 * critical path of a first `pulumi up`: the longest chain of slow AWS resources, with typical
 * creation times (estimates, sources in the comments of SLOW below).
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { performance } from "node:perf_hooks";

type Role = "sandbox" | "production" | "preview";
const ROLES: Role[] = ["sandbox", "production", "preview"];
const RUNS = 3;

const common = { "aws:region": "eu-west-1", sessionSecret: "b".repeat(64) };
const owner = {
  auth0ClientId: "bootstrapClientId",
  auth0ClientSecret: "bench-secret",
  adminEmail: "admin@acme.example",
  domainName: "portal.acme.example",
  hostedZoneId: "Z0123456789ABC",
  apiIdentifier: "https://api.acme.example/",
};
const CONFIGS: Record<Role, Record<string, string>> = {
  sandbox: {
    ...common,
    ...owner,
    role: "sandbox",
    auth0Domain: "acme-sandbox.eu.auth0.com",
    imageTag: "abc1234-4711-1",
  },
  production: {
    ...common,
    ...owner,
    role: "production",
    auth0Domain: "acme.eu.auth0.com",
    imageDigest: `sha256:${"a".repeat(64)}`,
    imageRepository: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/portal-repo-1a2b3c",
    sandboxStack: "acme/astral/sandbox",
  },
  preview: {
    ...common,
    role: "preview",
    prNumber: "7",
    imageTag: "abc1234-4711-1",
    sandboxStack: "acme/astral/sandbox",
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
    }),
  );
}

/**
 * Typical creation times of the slow resources, in seconds. Estimates for planning, not
 * measurements (there is no AWS here):
 * - NAT gateway: pending → available usually 1–2 min; the Terraform AWS provider waits up to
 *   10 min (default create timeout).
 * - ALB: provisioning → active usually 2–3 min (ELBv2 DescribeLoadBalancers State).
 * - ACM DNS validation after the Route 53 record exists: usually a few minutes; ACM retries for
 *   72 h (ACM CertificateDetail.Status docs); AWS CDK's validator waits up to 9.5 min
 *   (aws-cdk commit 5b5ca48).
 * - Route 53 record: change INSYNC typically within 60 s.
 * - Image build + push: the portal's Next.js build on a 2-vCPU CI runner, 2–4 min cold.
 * - ECS service steady state: task placement + image pull (~30–60 s for ~150 MB) + app start +
 *   ALB health checks (interval 15 s × healthy threshold 2 = 30 s) + margin; ~2–3 min.
 * - Auth0 resources and Secrets Manager: seconds each.
 */
const SLOW: Record<string, number> = {
  vpc: 10,
  subnets: 5,
  natGateway: 105,
  alb: 150,
  certificate: 10,
  validationRecord: 60,
  certificateValidation: 180,
  httpsListener: 5,
  aliasRecord: 60,
  imageBuild: 180,
  auth0: 10,
  secrets: 10,
  taskDefinition: 5,
  serviceSteady: 150,
};

/** Dependencies as the program declares them (stacks/roles.ts, infra/aws/*). */
function graph(role: Role): Record<string, string[]> {
  const g: Record<string, string[]> = {
    vpc: [],
    subnets: ["vpc"],
    alb: ["subnets"],
    certificate: [],
    validationRecord: ["certificate"],
    certificateValidation: ["validationRecord"],
    httpsListener: ["alb", "certificateValidation"],
    aliasRecord: ["alb"],
    secrets: role === "preview" ? [] : ["auth0"],
    taskDefinition: ["secrets"],
    serviceSteady: ["taskDefinition", "httpsListener"],
  };
  if (role !== "preview") g.auth0 = [];
  if (role === "production") {
    g.natGateway = ["subnets"];
    g.serviceSteady?.push("natGateway");
  } else {
    g.imageBuild = [];
    g.taskDefinition?.push("imageBuild");
  }
  if (role === "preview") {
    // A preview without a domain: plain HTTP listener on the ALB, no certificate.
    for (const k of ["certificate", "validationRecord", "certificateValidation", "aliasRecord"])
      delete g[k];
    g.httpsListener = ["alb"];
  }
  return g;
}

function criticalPath(g: Record<string, string[]>): { path: string[]; seconds: number } {
  const memo = new Map<string, { path: string[]; seconds: number }>();
  const longest = (node: string): { path: string[]; seconds: number } => {
    const known = memo.get(node);
    if (known) return known;
    let best = { path: [] as string[], seconds: 0 };
    for (const dep of g[node] ?? []) {
      const p = longest(dep);
      if (p.seconds > best.seconds) best = p;
    }
    const result = { path: [...best.path, node], seconds: best.seconds + (SLOW[node] ?? 0) };
    memo.set(node, result);
    return result;
  };
  return Object.keys(g)
    .map(longest)
    .reduce((a, b) => (b.seconds > a.seconds ? b : a));
}

const fmt = (s: number) => `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s`;

function parent(): void {
  const root = path.resolve(__dirname, "..");
  const tsx = path.join(root, "node_modules", ".bin", "tsx");
  console.log("Astral infra benchmark (Pulumi mocks; no AWS, no Auth0)\n");
  console.log("role        resources  components  evaluation (median of 3)");
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
    console.log(
      `${role.padEnd(11)} ${String(runs[0].resources).padStart(9)}  ${String(runs[0].components).padStart(10)}  ${ms.toFixed(0)} ms`,
    );
  }
  console.log(
    "\nCritical path of a first `pulumi up` (typical times, estimates; see SLOW in this file)",
  );
  for (const role of ROLES) {
    const { path: chain, seconds } = criticalPath(graph(role));
    console.log(
      `${role.padEnd(11)} ${fmt(seconds)}  ${chain.map((n) => `${n} (${fmt(SLOW[n] ?? 0)})`).join(" → ")}`,
    );
  }
  console.log("\nTarget: well under 10 minutes for a first deploy.");
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
