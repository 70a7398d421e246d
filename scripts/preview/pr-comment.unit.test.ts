import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMENT_MARKER, renderComment, upsertComment } from "./pr-comment";
import { GitHubPullRequests } from "./pull-requests";

describe("renderComment", () => {
  it("puts the URL and both previews in one marked comment", () => {
    const body = renderComment({
      sha: "0123456789abcdef0123",
      previews: [
        { stack: "sandbox", result: "success", output: "+ 2 to create" },
        { stack: "production", result: "failure", output: "policy violation ```x```" },
      ],
      preview: {
        result: "success",
        url: "https://pr-12.example.com",
        stack: "fixture-org/astral/pr-12",
      },
    });
    expect(body.startsWith(COMMENT_MARKER)).toBe(true);
    expect(body).toContain("0123456789ab");
    expect(body).toContain(
      "**Preview portal** (fixture-org/astral/pr-12): https://pr-12.example.com",
    );
    expect(body).toContain("✅ <code>pulumi preview</code> of <b>sandbox</b> (success)");
    expect(body).toContain("❌ <code>pulumi preview</code> of <b>production</b> (failure)");
    // A fence inside the output cannot close the comment's code block.
    expect(body.match(/```/g)).toHaveLength(4);
  });

  it("says why there is no URL and keeps a huge output under GitHub's limit", () => {
    const body = renderComment({
      sha: "abc",
      previews: [{ stack: "sandbox", result: "success", output: "x".repeat(200_000) }],
      preview: { result: "failure" },
    });
    expect(body).toContain("**Preview portal**: not deployed (failure)");
    expect(body).toContain("characters cut");
    expect(body.length).toBeLessThan(65_536);
  });
});

describe("GitHub REST (local stand-in for api.github.com)", () => {
  const comments: Array<{ id: number; body: string }> = [];
  const requests: string[] = [];
  let api = "";
  const server = createServer(async (req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (req.headers.authorization !== "Bearer t0ken") {
      res.writeHead(401).end();
      return;
    }
    const url = new URL(req.url ?? "/", "http://x");
    const send = (status: number, body?: unknown) =>
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body ?? {}));
    if (url.pathname === "/repos/o/r/pulls/1") return send(200, { state: "open" });
    if (url.pathname === "/repos/o/r/pulls/2") return send(200, { state: "closed" });
    if (url.pathname === "/repos/o/r/pulls/3") return send(404, { message: "Not Found" });
    if (url.pathname === "/repos/o/r/pulls/4") return send(502);
    if (url.pathname === "/repos/o/r/issues/7/comments" && req.method === "GET") {
      const page = Number(url.searchParams.get("page"));
      return send(200, page === 1 ? comments.slice(0, 100) : comments.slice(100));
    }
    if (url.pathname === "/repos/o/r/issues/7/comments" && req.method === "POST") {
      const { body } = JSON.parse(await text(req)) as { body: string };
      comments.push({ id: 1000 + comments.length, body });
      return send(201);
    }
    const patch = /^\/repos\/o\/r\/issues\/comments\/(\d+)$/.exec(url.pathname);
    if (patch && req.method === "PATCH") {
      const comment = comments.find((c) => c.id === Number(patch[1]));
      if (!comment) return send(404);
      comment.body = (JSON.parse(await text(req)) as { body: string }).body;
      return send(200);
    }
    send(404);
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("reads PR states; an error is never taken for closed", async () => {
    const prs = new GitHubPullRequests("o/r", "t0ken", api);
    expect(await prs.state(1)).toBe("open");
    expect(await prs.state(2)).toBe("closed");
    expect(await prs.state(3)).toBe("missing");
    await expect(prs.state(4)).rejects.toThrow("GitHub answered 502 for PR #4");
    expect(() => new GitHubPullRequests("not a repo", "t")).toThrow(/owner\/repo/);
  });

  it("creates the comment once, then edits it in place (even past the first page)", async () => {
    for (let i = 0; i < 120; i++) comments.push({ id: i, body: `chatter ${i}` });
    const input = { api, repository: "o/r", token: "t0ken", pr: 7 };
    expect(await upsertComment({ ...input, body: `${COMMENT_MARKER}\nfirst` })).toBe("created");
    expect(await upsertComment({ ...input, body: `${COMMENT_MARKER}\nsecond` })).toBe("updated");
    const ours = comments.filter((c) => c.body.startsWith(COMMENT_MARKER));
    expect(ours).toEqual([{ id: 1120, body: `${COMMENT_MARKER}\nsecond` }]);
    expect(requests.filter((r) => r.startsWith("PATCH"))).toEqual([
      "PATCH /repos/o/r/issues/comments/1120",
    ]);
  });
});

function text(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = "";
    req.on("data", (chunk) => {
      data += chunk;
    });
    req.on("end", () => resolve(data));
  });
}
