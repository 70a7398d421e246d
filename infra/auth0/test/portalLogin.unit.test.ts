import { describe, expect, it } from "vitest";
import { loginUrls } from "../portalLogin";

describe("loginUrls", () => {
  it("derives nextjs-auth0 v4 callback and logout URLs from base URLs", () => {
    expect(loginUrls(["https://portal.acme.example/", "https://*.previews.acme.example"])).toEqual({
      callbacks: [
        "https://portal.acme.example/auth/callback",
        "https://*.previews.acme.example/auth/callback",
      ],
      allowedLogoutUrls: ["https://portal.acme.example", "https://*.previews.acme.example"],
      webOrigins: ["https://portal.acme.example"],
    });
  });
});
