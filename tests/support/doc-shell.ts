/**
 * Runs the shell the deploy docs tell an operator to type, line by line, against fakes for the
 * outside: the Pulumi state (FakeStackBackend, with the stacks' committed files and the program's
 * own config schema), ECR (digests by tag), git (a commit, files that must exist) and the clock.
 * The repository's own code does the rest: `npm run promote` is the CLI's `promote`, `pulumi up`
 * parses the stack's config with `parseStackConfig` exactly as the program does. A command the
 * docs use that this shell does not know, or one that the code refuses, fails the rehearsal.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { FakeStackBackend } from "../../scripts/lib/fake-stack-backend";
import type { ConfigMap, OutputMap } from "../../scripts/lib/stack-backend";
import { REPO_ROOT, readStackConfig } from "../../scripts/lib/stacks";
import { preview } from "../../scripts/preview/cli";
import type { PullRequestState } from "../../scripts/preview/pull-requests";
import { promote } from "../../scripts/promote/cli";
import type { ImageRegistry } from "../../scripts/promote/registry";
import { parseStackConfig, SECRET_KEYS } from "../../stacks/config";
import { OPERATOR_ORG, operatorEditedStackFile } from "../../stacks/test/operator-values";
import { closing, closingQuote, splitOutsideQuotes, stripComment } from "./shell-syntax";

export const ACCOUNT_REPOSITORY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/portal-repo-a1b2c3";
export const COMMIT = "0123456789abcdef0123456789abcdef01234567";

/** What an operator substitutes for the docs' placeholders. */
const PLACEHOLDERS: Record<string, string> = {
  "<org>": OPERATOR_ORG,
  "<you>": "alice",
  "<deploy client id>": "deployClientId",
  "<sandbox tenant domain>": "northwind-sandbox.eu.auth0.com",
};

/** What differs when the rehearsal runs against local tenants instead of only checking. */
export interface DocShellOptions {
  /** More placeholder values (e.g. the local tenant's domain for `<sandbox tenant domain>`). */
  placeholders?: Record<string, string>;
  /** What the operator types at `read -rs NAME`. */
  typed?: string;
  /**
   * Runs `npm run tenant -- <args>` for real with the shell's exported environment; absent: the
   * command and what it needs are checked (an import costs about a minute of CPU), nothing runs.
   */
  tenant?: (args: string[], env: Record<string, string | undefined>) => Promise<string>;
}

export class DocShell {
  readonly backend: FakeStackBackend;
  readonly env: Record<string, string | undefined> = {};
  /** ECR: `repository:tag` → digest, filled by sandbox's (fake) image pushes. */
  readonly images = new Map<string, string>();
  readonly output: string[] = [];
  /** GitHub: each pull request's state, as `GET /repos/{owner}/{repo}/pulls/{n}` answers. */
  readonly pullRequests = new Map<number, PullRequestState>();
  private current?: string;
  private lastMessage = "";

  constructor(
    readonly workDir: string,
    private readonly options: DocShellOptions = {},
  ) {
    for (const stack of ["sandbox", "production"]) {
      // The operator edits their own values into the committed files (docs/deploy.md §2).
      const text = readFileSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`), "utf8");
      writeFileSync(
        path.join(workDir, `Pulumi.${stack}.yaml`),
        operatorEditedStackFile(stack, text),
      );
    }
    this.backend = new FakeStackBackend((stack, config) => this.program(stack, config));
  }

  /** Runs every line of a ```sh block; returns what it printed. */
  async run(block: string, where: string): Promise<void> {
    for (const raw of block.split("\n")) {
      const line = stripComment(raw).trim();
      if (line === "") continue;
      for (const command of line.split(/;\s*/)) {
        try {
          await this.command(this.placeholders(command.trim()));
        } catch (error) {
          throw new Error(`${where}: \`${command.trim()}\`: ${(error as Error).message}`);
        }
      }
    }
  }

  private placeholders(command: string): string {
    let out = command.replace("<the message prepare printed>", this.lastMessage);
    const values = { ...PLACEHOLDERS, ...this.options.placeholders };
    for (const [from, to] of Object.entries(values)) out = out.replaceAll(from, to);
    if (/<[a-z][^>]*>/.test(out)) throw new Error(`an unknown placeholder in "${out}"`);
    return out;
  }

  private async command(command: string): Promise<string> {
    // `A | B`: A's output is B's input (the docs pipe a generated secret into config set).
    const pipe = splitOutsideQuotes(command, "|");
    if (pipe.length === 2) {
      const input = await this.command(pipe[0] as string);
      return this.simple(pipe[1] as string, input.trim());
    }
    const [first, ...rest] = splitOutsideQuotes(command, "&&");
    let out = await this.simple(first as string);
    for (const next of rest) out = await this.simple(next);
    return out;
  }

  private async simple(command: string, stdin?: string): Promise<string> {
    const argv = await this.words(command);
    const [cmd, ...args] = argv;
    switch (cmd) {
      case "pulumi":
        return this.pulumi(args, stdin);
      case "npm":
        return this.npm(args);
      case "git":
        return this.git(args);
      case "openssl":
        if (args.join(" ") !== "rand -hex 32") throw new Error("unknown openssl use");
        return createHash("sha256").update("session").digest("hex");
      case "date":
        if (args.join(" ") !== "-u +%Y%m%dT%H%M%SZ") throw new Error("unknown date use");
        return "20261203T183000Z";
      case "export":
        for (const pair of args) {
          const [key, ...value] = pair.split("=");
          this.env[key as string] = value.length ? value.join("=") : this.env[key as string];
        }
        return "";
      case "read":
        // `read -rs NAME`: typed by the operator, not echoed.
        this.env[args.at(-1) as string] = this.options.typed ?? "typed-secret-value";
        return "";
      default:
        throw new Error(`the rehearsal does not know "${cmd}"`);
    }
  }

  /** Word splitting with quotes and `$(...)`, as bash does for these lines. */
  private async words(command: string): Promise<string[]> {
    const words: string[] = [];
    let word = "";
    let started = false;
    for (let i = 0; i < command.length; i++) {
      const c = command[i] as string;
      if (c === "$" && command[i + 1] === "(") {
        const end = closing(command, i + 1);
        word += (await this.command(command.slice(i + 2, end))).trim();
        i = end;
      } else if (c === "$" && /[A-Za-z_{]/.test(command[i + 1] ?? "")) {
        const [value, end] = this.variable(command, i);
        word += value;
        i = end;
      } else if (c === "'") {
        const end = command.indexOf("'", i + 1);
        word += command.slice(i + 1, end);
        i = end;
      } else if (c === '"') {
        const end = closingQuote(command, i);
        word += await this.expand(command.slice(i + 1, end));
        i = end;
      } else if (/\s/.test(c)) {
        if (started) words.push(word);
        word = "";
        started = false;
        continue;
      } else {
        word += c;
      }
      started = true;
    }
    if (started) words.push(word);
    return words;
  }

  /** A double-quoted string: each `$(...)` replaced by its output, nothing split. */
  private async expand(text: string): Promise<string> {
    let out = "";
    for (let i = 0; i < text.length; i++) {
      if (text[i] === "$" && text[i + 1] === "(") {
        const end = closing(text, i + 1);
        out += (await this.command(text.slice(i + 2, end))).trim();
        i = end;
      } else if (text[i] === "$" && /[A-Za-z_{]/.test(text[i + 1] ?? "")) {
        const [value, end] = this.variable(text, i);
        out += value;
        i = end;
      } else out += text[i];
    }
    return out;
  }

  /** `$NAME` or `${NAME}` at `at`: its exported value (unset: an error, as `set -u` would) and where it ends. */
  private variable(text: string, at: number): [string, number] {
    const match = /^\$(?:\{(\w+)\}|(\w+))/.exec(text.slice(at));
    const name = (match?.[1] ?? match?.[2]) as string;
    const value = this.env[name];
    if (value === undefined) throw new Error(`$${name} is not set`);
    return [value, at + (match?.[0].length ?? 1) - 1];
  }

  private stackName(name: string): string {
    const parts = name.split("/");
    return parts.length === 2 ? `${parts[0]}/astral/${parts[1]}` : name;
  }

  private async pulumi(args: string[], stdin?: string): Promise<string> {
    const { positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        stack: { type: "string", short: "s" },
        secret: { type: "boolean" },
        message: { type: "string", short: "m" },
        yes: { type: "boolean", short: "y" },
      },
    });
    const stack = values.stack ? this.stackName(values.stack) : this.current;
    const [a, b, c, d] = positionals;
    if (a === "stack" && b === "init" && c) {
      const name = this.stackName(c);
      if (this.backend.stacks.has(name)) throw new Error(`stack ${name} already exists`);
      this.backend.addStack(name);
      this.current = name;
      return "";
    }
    if (!stack || !this.backend.stacks.has(stack)) throw new Error(`no stack ${stack}`);
    if (a === "config" && b === "set" && c) {
      const value = d ?? stdin ?? (values.secret ? "pasted-secret-value" : undefined);
      if (value === undefined) throw new Error(`no value for ${c}`);
      const config = await this.backend.getConfig(stack);
      await this.backend.setConfig(stack, { ...config, [c]: { value, secret: !!values.secret } });
      return "";
    }
    if (a === "stack" && b === "output" && c) {
      const value = (await this.backend.outputs(stack))[c]?.value;
      if (value === undefined) throw new Error(`stack ${stack} has no output ${c}`);
      return String(value);
    }
    if (a === "stack" && b === "tag" && c === "set" && d && positionals[4]) {
      await this.backend.setTags(stack, { [d]: positionals[4] });
      return "";
    }
    if (a === "up" && positionals.length === 1) {
      await this.backend.up(stack, { message: values.message ?? "" });
      return "";
    }
    throw new Error(`the rehearsal does not know pulumi ${positionals.join(" ")}`);
  }

  /** The outside world's answer to `pulumi up`: the config must parse as the program parses it. */
  private program(stack: string, set: ConfigMap): OutputMap {
    const short = stack.split("/").at(-1) as string;
    const file = path.join(this.workDir, `Pulumi.${short}.yaml`);
    const committed = existsSync(file) ? readStackConfig(file).config : {};
    const raw = Object.fromEntries(
      Object.entries({ ...committed, ...set })
        .filter(([k]) => k.startsWith("astral:"))
        .map(([k, { value }]) => [k.slice("astral:".length), value]),
    );
    // As Pulumi stores them: a key set without --secret is plain (the program refuses it).
    const plain = Object.keys(SECRET_KEYS).filter(
      (k) => raw[k] !== undefined && !set[`astral:${k}`]?.secret,
    );
    const config = parseStackConfig(raw, plain);
    const out = (value: unknown) => ({ value, secret: false });
    if (config.role === "sandbox") {
      // ECR: the pushed tag resolves to the image's digest.
      const digest = `sha256:${createHash("sha256").update(config.imageTag).digest("hex")}`;
      this.images.set(`${ACCOUNT_REPOSITORY}:${config.imageTag}`, digest);
      return {
        portalUrl: out(`https://${config.domainName}`),
        imageDigest: out(digest),
        imageRepository: out(ACCOUNT_REPOSITORY),
        imageTag: out(config.imageTag),
      };
    }
    if (config.role === "production") {
      return {
        portalUrl: out(`https://${config.domainName}`),
        imageDigest: out(config.imageDigest),
      };
    }
    return { portalUrl: out(`http://portal-pr-${config.prNumber}.elb.amazonaws.com`) };
  }

  private async npm(args: string[]): Promise<string> {
    const [run, script, dashes, ...rest] = args;
    if (run !== "run" || dashes !== "--") throw new Error("only `npm run <script> -- ...`");
    if (script === "promote") {
      const registry: ImageRegistry = { digestOf: async (r, t) => this.images.get(`${r}:${t}`) };
      const lines: string[] = [];
      const code = await promote(rest, {
        backend: this.backend,
        registry,
        files: {
          productionFile: path.join(this.workDir, "Pulumi.production.yaml"),
          logFile: path.join(this.workDir, "docs", "promotions.jsonl"),
        },
        sandboxStack: this.env.ASTRAL_SANDBOX_STACK ?? "",
        env: this.env,
        now: () => new Date("2026-12-03T18:30:00.000Z"),
        log: (line) => lines.push(line),
      });
      if (code !== 0) throw new Error(`promote exited ${code}`);
      const message = /pulumi up -s production -m "(.*)"/.exec(lines.join("\n"))?.[1];
      if (message) this.lastMessage = message;
      this.output.push(...lines);
      return lines.join("\n");
    }
    if (script === "preview") {
      const lines: string[] = [];
      const code = await preview(rest, {
        backend: async () => this.backend,
        pullRequests: () => {
          // As GitHubPullRequests.fromEnv: the workflow's repository and token, then the API.
          for (const name of ["GITHUB_REPOSITORY", "GITHUB_TOKEN"])
            if (!this.env[name]) throw new Error(`${name} is not set`);
          return { state: async (pr) => this.pullRequests.get(pr) ?? "missing" };
        },
        sandboxFile: path.join(this.workDir, "Pulumi.sandbox.yaml"),
        sandboxStack: this.env.ASTRAL_SANDBOX_STACK ?? "",
        env: this.env,
        gitSha: () => COMMIT,
        now: () => new Date("2026-12-03T18:30:00.000Z"),
        log: (line) => lines.push(line),
        onOutput: () => {},
      });
      if (code !== 0) throw new Error(`preview exited ${code}`);
      this.output.push(...lines);
      return lines.join("\n");
    }
    if (script === "tenant") {
      if (this.options.tenant) {
        const out = await this.options.tenant(rest, { ...this.env });
        this.output.push(...out.split("\n"));
        return out;
      }
      // Without local tenants, the command and what it needs, not the import itself (about a
      // minute of CPU): scripts/tenant/tenant.integration.test.ts runs this block for real.
      const [command, env] = rest;
      const cli = readFileSync(path.join(REPO_ROOT, "scripts/tenant/cli.ts"), "utf8");
      if (!cli.includes(`"${command}"`)) throw new Error(`the tenant CLI has no "${command}"`);
      if (!existsSync(path.join(REPO_ROOT, "tenants", "environments", `${env}.yaml`)))
        throw new Error(`no tenants/environments/${env}.yaml`);
      for (const name of ["AUTH0_DOMAIN", "AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET"])
        if (!this.env[name]) throw new Error(`${name} is not set`);
      this.output.push(`tenant ${command} ${env} (${this.env.AUTH0_DOMAIN})`);
      return "";
    }
    throw new Error(`the rehearsal does not run npm run ${script}`);
  }

  private git(args: string[]): string {
    if (args.join(" ") === "rev-parse --short=12 HEAD") return COMMIT.slice(0, 12);
    if (args.join(" ") === "rev-parse HEAD") return COMMIT;
    if (args[0] === "add") {
      for (const file of args.slice(1).filter((a) => a !== "--")) {
        if (!existsSync(path.join(this.workDir, file))) throw new Error(`${file} does not exist`);
      }
      return "";
    }
    throw new Error(`the rehearsal does not know git ${args.join(" ")}`);
  }
}
