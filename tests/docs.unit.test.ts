/**
 * The docs as a contract, checked where they can drift mechanically: every `npm run <script>`
 * they name exists (and its subcommand is one the CLI knows), every relative link and anchor
 * resolves, every repository path they quote exists, every `astral:<key>` they name is a key of
 * the program's config schema or a tag the code sets, and docs/deploy.md's config table lists
 * exactly the schema's keys.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PLAIN_HTTP_TAG, ROLE_TAG } from "../infra/aws/tags";
import { STACK_TAGS } from "../scripts/lib/stacks";
import { CONFIG_KEYS } from "../stacks/config";

const root = path.resolve(__dirname, "..");
const DOC_ROOTS = ["README.md", "docs", "emulator/README.md", "emulator/docs", "portal/README.md"];

function markdownFiles(entry: string): string[] {
  const full = path.join(root, entry);
  if (statSync(full).isFile()) return [entry];
  return readdirSync(full).flatMap((name) =>
    name.endsWith(".md") || statSync(path.join(full, name)).isDirectory()
      ? markdownFiles(path.join(entry, name))
      : [],
  );
}
const docs = DOC_ROOTS.flatMap(markdownFiles).map((file) => ({
  file,
  text: readFileSync(path.join(root, file), "utf8"),
}));

const npmScripts = (
  JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  }
).scripts;

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
const anchors = (markdown: string) =>
  new Set([...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1] as string)));

/** Paths the docs name that exist only once something has run (made by a promotion, by dev). */
const MADE_AT_RUN_TIME = new Set(["docs/promotions.jsonl", "portal/.env.local"]);
const REPO_DIRS = /^(\.ci|\.github|docs|emulator|infra|portal|scripts|stacks|tenants|tests)\//;

describe("docs", () => {
  it("are found", () => {
    expect(docs.map((d) => d.file)).toEqual(
      expect.arrayContaining(["README.md", "docs/deploy.md", "docs/operations.md"]),
    );
  });

  it.each(docs)(
    "$file: every npm run names an existing script, with a command its CLI knows",
    ({ file, text }) => {
      for (const [, name, commands] of text.matchAll(/npm run ([\w:-]+)(?: -- ([a-z|]+)\b)?/g)) {
        expect(npmScripts, `${file}: npm run ${name}`).toHaveProperty(name as string);
        if (!commands) continue;
        const cli = /tsx (\S+\.ts)/.exec(npmScripts[name as string] ?? "")?.[1] as string;
        const source = readFileSync(path.join(root, cli), "utf8");
        for (const command of commands.split("|"))
          expect(source, `${file}: ${cli} has no "${command}" command`).toContain(`"${command}"`);
      }
    },
  );

  it.each(docs)("$file: every relative link and anchor resolves", ({ file, text }) => {
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target as string)) continue; // https:, mailto:
      const [linkPath, anchor] = (target as string).split("#");
      const resolved = linkPath
        ? path.join(root, path.dirname(file), linkPath)
        : path.join(root, file);
      expect(existsSync(resolved), `${file}: link ${target}`).toBe(true);
      if (anchor && resolved.endsWith(".md"))
        expect([...anchors(readFileSync(resolved, "utf8"))], `${file}: link ${target}`).toContain(
          anchor,
        );
    }
  });

  it.each(docs)("$file: every repository path it quotes exists", ({ file, text }) => {
    for (const [, quoted] of text.matchAll(/`([^`\s]+)`/g)) {
      const candidate = (quoted as string).replace(/[:#].*$/, "");
      if (!REPO_DIRS.test(candidate) || /[<*{|]/.test(candidate)) continue;
      if (MADE_AT_RUN_TIME.has(candidate)) continue;
      const here = path.join(root, path.dirname(file), candidate);
      expect(existsSync(path.join(root, candidate)) || existsSync(here), `${file}: ${quoted}`).toBe(
        true,
      );
    }
  });

  it.each(docs)(
    "$file: every astral:<key> is a config key of stacks/config.ts or a tag the code sets",
    ({ file, text }) => {
      const known = new Set<string>([
        ...CONFIG_KEYS.map((k) => `astral:${k}`),
        ...Object.values(STACK_TAGS),
        ROLE_TAG,
        PLAIN_HTTP_TAG,
      ]);
      for (const [name] of text.matchAll(/\bastral:[A-Za-z][\w-]*/g))
        expect([...known], `${file}: ${name}`).toContain(name);
    },
  );

  it("docs/deploy.md's config table lists exactly the keys of the program's schema", () => {
    const deploy = docs.find((d) => d.file === "docs/deploy.md")?.text ?? "";
    const table = deploy.split("| key | roles | meaning |")[1]?.split("\n\n")[0] ?? "";
    const listed = [...table.matchAll(/^\| ([^|]+)\|/gm)].flatMap((row) =>
      [...(row[1] as string).matchAll(/`(\w+)`/g)].map((m) => m[1]),
    );
    expect(listed.sort()).toEqual([...CONFIG_KEYS].sort());
  });
});
