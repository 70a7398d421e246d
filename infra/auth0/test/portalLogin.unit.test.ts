import { describe, expect, it } from "vitest";
import { loginUrls } from "../portalLogin";

describe("loginUrls", () => {
  it("derives nextjs-auth0 v4 callback and logout URLs from base URLs", () => {
    expect(loginUrls(["https://portal.fixture.test/", "https://*.previews.fixture.test"])).toEqual({
      callbacks: [
        "https://portal.fixture.test/auth/callback",
        "https://*.previews.fixture.test/auth/callback",
      ],
      allowedLogoutUrls: ["https://portal.fixture.test", "https://*.previews.fixture.test"],
      webOrigins: ["https://portal.fixture.test"],
    });
  });
});
