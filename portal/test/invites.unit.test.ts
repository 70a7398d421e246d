import { describe, expect, it } from "vitest";
import { refuseAdminInvitee } from "../lib/domain/invites";
import type { PortalUser } from "../lib/domain/users";

const user = (over: Partial<PortalUser>): PortalUser => ({
  userId: "auth0|u1",
  email: "Ada@Example.test",
  name: "Ada",
  permissions: [],
  blocked: false,
  adminInvitesAccepted: [],
  issuerEpoch: "",
  pendingAdminInvites: [],
  ...over,
});
const invite = { email: "ada@example.test", id: "inv-1", issuedAt: 1_800_000_000 };

describe("who may take an admin invite (their own record)", () => {
  it("needs `email_verified: true`: a connection that does not report it is refused", () => {
    expect(() => refuseAdminInvitee(user({ emailVerified: undefined }), invite)).toThrow(
      /Verify your email address/,
    );
    expect(() => refuseAdminInvitee(user({ emailVerified: false }), invite)).toThrow(
      /Verify your email address/,
    );
    expect(() => refuseAdminInvitee(user({ emailVerified: true }), invite)).not.toThrow();
  });

  it("refuses another address, a used invite and one issued before the last removal", () => {
    const verified = { emailVerified: true };
    expect(() =>
      refuseAdminInvitee(user({ ...verified, email: "eve@example.test" }), invite),
    ).toThrow(/another email address/);
    expect(() =>
      refuseAdminInvitee(user({ ...verified, adminInvitesAccepted: ["inv-1"] }), invite),
    ).toThrow(/already been used/);
    const removedAt = new Date(invite.issuedAt * 1000).toISOString();
    expect(() =>
      refuseAdminInvitee(user({ ...verified, adminRemovedAt: removedAt }), invite),
    ).toThrow(/issued before your admin rights were removed/);
  });
});
