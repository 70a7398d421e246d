/**
 * What the preview tests share (preview.unit and preview-cleanup.unit): a sandbox stack's config
 * file, the preview program's outputs, pull requests in given states, a stack's role.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { testTempDir } from "../../tests/support/temp-dirs";
import type { ConfigMap } from "../lib/stack-backend";
import { readStackConfig } from "../lib/stacks";
import type { PullRequestState, PullRequests } from "./pull-requests";

export const NOW = new Date("2026-11-27T04:00:00.000Z");
export const DAY = 24 * 60 * 60 * 1000;
export const SANDBOX_STACK = "fixture-org/astral/sandbox";
export const SHA = "abc1234def5678abc1234def5678abc1234def56";

// Shaped like infra's Pulumi.sandbox.yaml, plus a nested secure value and a provider key.
export const SANDBOX_YAML = `# sandbox: comments are fine
config:
  aws:region: eu-west-1
  auth0:domain: fixture-sandbox.eu.auth0.com
  astral:role: sandbox
  astral:auth0Domain: fixture-sandbox.eu.auth0.com
  astral:auth0ClientId: bootstrap-client-id
  astral:auth0ClientSecret:
    secure: AAABAKq0ciphertext
  astral:adminEmail: platform-team@fixture.test
  astral:domainName: portal.sandbox.fixture.test
  astral:hostedZoneId: Z0123456789ABCDEFGHIJ
  astral:previewDomain: previews.fixture.test
  astral:imageTag: 0123456789ab
  astral:apiIdentifier: https://api.fixture.test/
  astral:cpu: "512"
  astral:memory: 1024
  astral:minTasks: "1"
  astral:maxTasks: "2"
  astral:logRetentionDays: "14"
  aws:defaultTags:
    tags:
      team: platform
      token:
        secure: AAABAnested
  custom:settings:
    regions: [eu-west-1, eu-central-1]
`;

export function sandboxFixture() {
  const dir = testTempDir("astral-preview-");
  const file = path.join(dir, "Pulumi.sandbox.yaml");
  writeFileSync(file, SANDBOX_YAML);
  return readStackConfig(file);
}

export const portal = (stack: string): Record<string, { value: unknown; secret: boolean }> => ({
  portalUrl: { value: `https://${stack.split("/").pop()}.preview.example.com`, secret: false },
});

/** What the preview program exports: its URL, and its session secret as a secret output. */
export const previewProgram = (stack: string, config: ConfigMap) => ({
  ...portal(stack),
  sessionSecret: { value: config["astral:sessionSecret"]?.value, secret: true },
});

export function prs(states: Record<number, PullRequestState | Error>): PullRequests {
  return {
    async state(pr) {
      const s = states[pr];
      if (s instanceof Error) throw s;
      if (s === undefined) throw new Error(`unexpected PR #${pr}`);
      return s;
    },
  };
}

export const role = (value: string): ConfigMap => ({ "astral:role": { value } });
