/**
 * The portal image, run as ECS runs it: the image's own user, working directory, command and
 * environment, plus exactly the task definition's variables (names read from the Pulumi program
 * under mocks, the production role's task, which has every one of them), values pointing at the
 * local tenants. Checks the image's HEALTHCHECK command, signs the seeded admin in through
 * `/auth/login` → the tenant's login form → `/auth/callback`, and reads a signed-in page.
 *
 * Run by `npm run test:image` (scripts/image/test-image.ts), which builds the image first and
 * runs this file as root in a private network namespace where `production.tenants.test` is
 * 127.0.0.1. The one addition to the task's environment is `NODE_EXTRA_CA_CERTS`, pointing at
 * the local CA mounted read-only at run time (real Auth0 tenants have public certificates); the
 * image itself is not changed for the test.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { PORTAL_ENV, PORTAL_SECRET_ENV } from "@astral/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureLocalCa } from "../emulator/src/ca";
import { type SeededTenants, startSeededTenants } from "../emulator/test-support";
import { IN_IMAGE_ENV, LOCAL_TENANTS_ENV } from "../portal/lib/config/local-tenants";
import { BUILDAH, buildah, IMAGE_ENV, LOGIN_HOST } from "../scripts/image/buildah";
import { checkTaskSecrets, loadStack, taskEnv } from "../stacks/test/harness";
import { freePort } from "./support/free-port";
import { cookieHeader, signInOverHttp } from "./support/http-sign-in";

const image = process.env[IMAGE_ENV];
const CA_IN_CONTAINER = "/run/astral/local-ca.pem";

interface ImageConfig {
  User?: string;
  WorkingDir?: string;
  Cmd?: string[];
  Entrypoint?: string[] | null;
  StopSignal?: string;
}

let tenants: SeededTenants;
let container = "";
let server: ChildProcess | undefined;
let output = "";
let appUrl = "";
let healthcheck: string[] = [];
let stopSignal: NodeJS.Signals = "SIGTERM";
let runEnv: Record<string, string> = {};

/** The task definition's environment and secret names, as the Pulumi program declares them. */
async function taskDefinition() {
  // Not the docs' acme examples: the stack refuses those (stacks/examples.ts).
  await loadStack("production", {
    "aws:region": "eu-west-1",
    role: "production",
    auth0Domain: "fixture.eu.auth0.com",
    auth0Plan: "free",
    auth0ClientId: "bootstrapClientId",
    auth0ClientSecret: "bootstrap-secret-of-the-image-test",
    adminEmail: "admin@fixture.test",
    imageDigest: `sha256:${"c".repeat(64)}`,
    imageRepository: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/portal-repo-1a2b3c",
    sandboxStack: "fixture-org/astral/sandbox",
    sessionSecret: "session-secret-of-the-image-test-0123456789",
    domainName: "portal.fixture.test",
    hostedZoneId: "Z0123456789ABC",
  });
  const task = checkTaskSecrets([...PORTAL_SECRET_ENV]);
  return { environment: taskEnv(task), secretNames: task.secrets.map((s) => s.name) };
}

/** Every process below `pid` (from /proc: buildah → chroot runtime → the container's command). */
function descendants(pid: number): number[] {
  const children = readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((p) => {
      try {
        // Field 4 of /proc/<pid>/stat is the parent pid (after the parenthesised command name).
        const stat = readFileSync(`/proc/${p}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid;
      } catch {
        return false;
      }
    });
  return children.flatMap((child) => [child, ...descendants(child)]);
}

/** `name=value` pairs of a response's Set-Cookie headers, merged into a cookie jar. */
/** The image's command (ENTRYPOINT + CMD). */
let command: string[] = [];

/** `buildah run` arguments that start the image's command in the container as `user`. */
function runCommand(user: string, env: Record<string, string>, extra: string[] = []): string[] {
  const envFlags = Object.entries(env).flatMap(([name, value]) => ["--env", `${name}=${value}`]);
  return [
    "run",
    "--isolation",
    "chroot",
    "--user",
    user,
    ...extra,
    ...envFlags,
    container,
    "--",
    ...command,
  ];
}

beforeAll(async () => {
  if (!image) {
    throw new Error("run this test through `npm run test:image` (it builds the image first)");
  }
  const { environment, secretNames } = await taskDefinition();
  const port = environment.PORT;
  if (!port) throw new Error("the task definition sets no PORT");
  appUrl = `http://localhost:${port}`;

  // The production tenant on 443 under a host name, as an Auth0 tenant is reached.
  tenants = await startSeededTenants({
    ports: { production: 443 },
    hosts: { production: LOGIN_HOST },
    callbackUrl: `${appUrl}/auth/callback`,
    logoutUrl: appUrl,
  });
  const local: Record<string, string> = {
    [PORTAL_ENV.login.domain]: tenants.tenants.production.domain,
    [PORTAL_ENV.login.clientId]: tenants.seed.production.login.clientId,
    [PORTAL_ENV.login.clientSecret]: tenants.seed.production.login.clientSecret,
    [PORTAL_ENV.login.sessionSecret]: "image-test-session-secret-0123456789abcdef0123",
    [PORTAL_ENV.login.baseUrl]: appUrl,
  };
  for (const env of ["production", "sandbox"] as const) {
    const names = PORTAL_ENV.management[env];
    local[names.domain] = tenants.tenants[env].domain;
    local[names.clientId] = tenants.seed[env].backend.clientId;
    local[names.clientSecret] = tenants.seed[env].backend.clientSecret;
  }
  // The plan and task count name the deployment's tenants and service, as the domains do: here
  // one container calls the local tenants, on their default plan (emulator/src/tenant.ts).
  for (const env of ["production", "sandbox"] as const) {
    local[PORTAL_ENV.rate[env].plan] = "enterprise";
    local[PORTAL_ENV.rate[env].tasks] = "1";
  }
  // Every secret of the task gets a local value; every other variable keeps the task's value
  // unless it names a deployment (tenant, client, URL). Nothing outside the task is added.
  for (const name of secretNames) {
    if (!(name in local)) throw new Error(`the task has a secret ${name} this test cannot fill`);
  }
  const taskNames = new Set([...Object.keys(environment), ...secretNames]);
  const extra = Object.keys(local).filter((name) => !taskNames.has(name));
  if (extra.length > 0) throw new Error(`not in the task definition: ${extra.join(", ")}`);
  runEnv = { ...environment, ...local };

  const inspected = JSON.parse(buildah(["inspect", "--type", "image", image])) as {
    OCIv1: { config: ImageConfig };
    Docker: { config: { Healthcheck?: { Test?: string[] } } };
  };
  const configs = inspected.OCIv1.config;
  const docker = inspected.Docker.config;
  command = [...(configs.Entrypoint ?? []), ...(configs.Cmd ?? [])];
  if (command.length === 0) throw new Error(`${image} has no command`);
  const test = docker.Healthcheck?.Test ?? [];
  if (test[0] !== "CMD") throw new Error(`${image} has no exec-form HEALTHCHECK`);
  healthcheck = test.slice(1);
  stopSignal = (configs.StopSignal ?? "SIGTERM") as NodeJS.Signals;

  container = buildah(["from", "--pull-never", image]).trim();
  const { caCertPath } = ensureLocalCa();
  const [cmd, ...base] = BUILDAH;
  server = spawn(
    cmd,
    [
      ...base,
      ...runCommand(configs.User ?? "root", { ...runEnv, NODE_EXTRA_CA_CERTS: CA_IN_CONTAINER }, [
        "--volume",
        `${caCertPath}:${CA_IN_CONTAINER}:ro`,
      ]),
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  server.stdout?.on("data", (d) => {
    output += d;
  });
  server.stderr?.on("data", (d) => {
    output += d;
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`the container exited:\n${output}`);
    const ok = await fetch(`${appUrl}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`the container did not become healthy:\n${output}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}, 180_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server?.once("exit", resolve));
    server.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    if (server.exitCode === null) server.kill("SIGKILL");
  }
  if (container) buildah(["rm", container], { quiet: true });
  await tenants?.close();
}, 60_000);

describe("the portal image, run with the ECS task's environment", () => {
  it("passes its own HEALTHCHECK, run inside the container", () => {
    const [cmd, ...base] = BUILDAH;
    const check = spawnSync(
      cmd,
      [...base, "run", "--isolation", "chroot", "--user", "node", container, "--", ...healthcheck],
      { encoding: "utf8", env: { ...process.env, PORT: runEnv.PORT } },
    );
    expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
  });

  it("tells the load balancer it is ready once its reads ahead of the first views are done", async () => {
    await expect
      .poll(async () => (await fetch(`${appUrl}/api/ready`)).status, { timeout: 30_000 })
      .toBe(200);
  });

  it("runs as the non-root node user from the image's working directory", () => {
    const [cmd, ...base] = BUILDAH;
    const whoami = spawnSync(
      cmd,
      [...base, "run", "--isolation", "chroot", "--user", "node", container, "--", "id", "-u"],
      { encoding: "utf8" },
    );
    expect(whoami.stdout.trim()).toBe("1000");
    const listing = spawnSync(
      cmd,
      [...base, "run", "--isolation", "chroot", container, "--", "ls", "-A", "portal"],
      { encoding: "utf8" },
    );
    const shipped = listing.stdout.split("\n").filter(Boolean);
    expect(shipped).toContain("server.js");
    expect(shipped).toContain("portal.config.js");
    for (const absent of ["test", "bench", ".env", ".env.local", "README.md", "Dockerfile"]) {
      expect(shipped).not.toContain(absent);
    }
  });

  it("signs the seeded admin in against the local tenant and shows a signed-in page", async () => {
    const admin = tenants.seed.production.admin;
    const { jar, steps } = await signInOverHttp(appUrl, admin);
    expect(steps.authorize.hostname).toBe(LOGIN_HOST);
    const done = steps.done;
    expect(done.status, `${await done.clone().text()}\n${output}`).toBe(307);
    expect([...jar.keys()]).toContain("__session");

    const home = await fetch(`${appUrl}/`, { headers: { cookie: cookieHeader(jar) } });
    expect(home.status).toBe(200);
    const html = await home.text();
    expect(html).not.toContain("Sign in to get started");
    // The admin (no team yet) sees the admin link: whoAmI read their app_metadata through the
    // production tenant's Management API with the Astral Backend's credentials.
    expect(html).toContain('data-testid="no-team"');
    expect(html).toContain("You are a portal admin");
    expect(output).not.toContain(tenants.seed.production.login.clientSecret);
  });

  it("refuses local-tenants mode: the image signs in against real Auth0 tenants only", async () => {
    expect(runEnv[IN_IMAGE_ENV], "the task definition must not set it: the image does").toBe(
      undefined,
    );
    const [cmd, ...base] = BUILDAH;
    const env = { ...runEnv, PORT: String(await freePort()), [LOCAL_TENANTS_ENV]: "1" };
    const run = spawnSync(cmd, [...base, ...runCommand("node", env)], {
      encoding: "utf8",
      timeout: 60_000,
    });
    const text = `${run.stdout}${run.stderr}`;
    expect(run.status, text).not.toBe(0);
    expect(text).toContain(`${LOCAL_TENANTS_ENV} is refused in the portal image`);
  }, 70_000);

  it("stops on its STOPSIGNAL within ECS's default 30 s stop timeout, by its own handler", async () => {
    // ECS sends the image's STOPSIGNAL to the container's main process: here, the `node` that
    // buildah started (found among buildah's descendants, not by name: other tests run servers).
    const running = server as ChildProcess;
    // Its command line is Next's process title by now (`next-server (v16...)`), so: the first
    // process below buildah's own (buildah-chroot-runtime, buildah-chroot-exec).
    const main = descendants(running.pid as number).find(
      (pid) => !readFileSync(`/proc/${pid}/cmdline`, "utf8").startsWith("buildah-chroot"),
    );
    expect(main, "the container's node process").toBeDefined();
    expect(stopSignal).toBe("SIGTERM");
    const exited = new Promise<number | null>((resolve) =>
      running.once("exit", (code) => resolve(code)),
    );
    const started = Date.now();
    process.kill(main as number, stopSignal);
    const code = await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
    expect(Date.now() - started, output).toBeLessThan(30_000);
    // Next's server handles SIGTERM: closes the listener, finishes requests, exits 143 (128 + 15),
    // as the standalone test sees it too. Killed outright, buildah would report status 1.
    expect([0, 143], output).toContain(code);
  }, 40_000);
});
