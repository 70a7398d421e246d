/**
 * Where a PR's state comes from, behind an interface: GitHub's REST API in CI, a map in tests.
 */

/** `missing`: the PR does not exist (deleted, or never did). */
export type PullRequestState = "open" | "closed" | "missing";

export interface PullRequests {
  state(pr: number): Promise<PullRequestState>;
}

/**
 * GitHub's REST API (`GET /repos/{owner}/{repo}/pulls/{n}`). Any answer other than 200 or 404
 * throws: an unreadable state must never be taken for "closed".
 */
export class GitHubPullRequests implements PullRequests {
  constructor(
    private readonly repository: string,
    private readonly token: string,
    private readonly apiUrl = "https://api.github.com",
  ) {
    if (!/^[\w.-]+\/[\w.-]+$/.test(repository)) {
      throw new Error(`GITHUB_REPOSITORY must be "owner/repo", got "${repository}"`);
    }
  }

  static fromEnv(env: NodeJS.ProcessEnv = process.env): GitHubPullRequests {
    const repository = env.GITHUB_REPOSITORY;
    const token = env.GITHUB_TOKEN;
    if (!repository) throw new Error("GITHUB_REPOSITORY is not set (owner/repo)");
    if (!token) throw new Error("GITHUB_TOKEN is not set (needs pull-requests: read)");
    return new GitHubPullRequests(repository, token, env.GITHUB_API_URL);
  }

  async state(pr: number): Promise<PullRequestState> {
    const response = await fetch(`${this.apiUrl}/repos/${this.repository}/pulls/${pr}`, {
      headers: {
        accept: "application/vnd.github+json",
        authorization: `Bearer ${this.token}`,
        "x-github-api-version": "2022-11-28",
      },
    });
    if (response.status === 404) return "missing";
    if (!response.ok) {
      throw new Error(`GitHub answered ${response.status} for PR #${pr}`);
    }
    const body = (await response.json()) as { state?: unknown };
    if (body.state === "open" || body.state === "closed") return body.state;
    throw new Error(`GitHub returned an unknown state for PR #${pr}: ${String(body.state)}`);
  }
}
