/**
 * The one PR comment CI keeps up to date: `pulumi preview` of sandbox and production (with the
 * policy pack) and the preview stack's URL. Found again by a hidden marker and edited in place,
 * so a PR never collects a comment per push.
 */

export const COMMENT_MARKER = "<!-- astral:pr-report -->";
/** GitHub's limit is 65,536 characters per comment; keep room for the frame. */
const MAX_SECTION = 28_000;

export interface PreviewSection {
  stack: string;
  /** The job's result (`success`, `failure`, `cancelled`, `skipped`). */
  result: string;
  output: string;
}

export function renderComment(input: {
  sha: string;
  previews: PreviewSection[];
  preview: { result: string; url?: string; stack?: string };
}): string {
  const lines = [COMMENT_MARKER, `### Astral: infrastructure for ${input.sha.slice(0, 12)}`, ""];
  const url = input.preview.url;
  if (input.preview.result === "success" && url) {
    lines.push(`**Preview portal** (${input.preview.stack ?? "preview stack"}): ${url}`);
  } else {
    lines.push(`**Preview portal**: not deployed (${input.preview.result})`);
  }
  for (const preview of input.previews) {
    const status = preview.result === "success" ? "✅" : "❌";
    lines.push(
      "",
      `<details><summary>${status} <code>pulumi preview</code> of <b>${preview.stack}</b> (${preview.result})</summary>`,
      "",
      "```",
      truncate(preview.output.replaceAll("```", "'''")),
      "```",
      "</details>",
    );
  }
  return `${lines.join("\n")}\n`;
}

function truncate(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length <= MAX_SECTION) return trimmed || "(no output)";
  return `… ${trimmed.length - MAX_SECTION} characters cut; the full log is in the workflow run …\n${trimmed.slice(-MAX_SECTION)}`;
}

interface Comment {
  id: number;
  body?: string;
}

/**
 * Creates the comment, or edits the one carrying the marker. Returns what it did.
 * `api` is GitHub's REST base URL (`GITHUB_API_URL`).
 */
export async function upsertComment(input: {
  api: string;
  repository: string;
  token: string;
  pr: number;
  body: string;
}): Promise<"created" | "updated"> {
  const headers = {
    accept: "application/vnd.github+json",
    authorization: `Bearer ${input.token}`,
    "content-type": "application/json",
    "x-github-api-version": "2022-11-28",
  };
  const base = `${input.api}/repos/${input.repository}/issues`;
  let existing: Comment | undefined;
  for (let page = 1; existing === undefined; page++) {
    const response = await fetch(`${base}/${input.pr}/comments?per_page=100&page=${page}`, {
      headers,
    });
    if (!response.ok)
      throw new Error(`GitHub answered ${response.status} listing PR #${input.pr}'s comments`);
    const comments = (await response.json()) as Comment[];
    existing = comments.find((c) => c.body?.startsWith(COMMENT_MARKER));
    if (comments.length < 100) break;
  }
  const body = JSON.stringify({ body: input.body });
  const response = existing
    ? await fetch(`${base}/comments/${existing.id}`, { method: "PATCH", headers, body })
    : await fetch(`${base}/${input.pr}/comments`, { method: "POST", headers, body });
  if (!response.ok)
    throw new Error(`GitHub answered ${response.status} writing PR #${input.pr}'s comment`);
  return existing ? "updated" : "created";
}
