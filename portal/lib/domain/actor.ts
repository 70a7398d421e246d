/**
 * The actor of a request: the signed-in user as the home tenant has them now. Sessions are
 * stateless cookies (docs/decisions/0700-access-taken-back.md), so this one read (GET /users/{id}, one
 * Management call per request, consistent) is where access that was taken back takes effect:
 * a user removed from a team has no `teamId` any more, an admin whose right was removed has no
 * `portal-admin`, and a user an admin blocked in Auth0 is refused outright, even with a session
 * cookie saved before.
 */
import { PortalError } from "../errors";
import { type Actor, homeTenant, type Portal } from "./context";
import { getUser } from "./users";

export async function actorFor(
  portal: Portal,
  userId: string,
  sessionEmail: string | undefined,
  requestId: string,
): Promise<Actor> {
  const user = await getUser(homeTenant(portal), userId, requestId);
  if (user.blocked)
    throw new PortalError("forbidden", "This account is blocked. Ask a portal admin.");
  return {
    userId: user.userId,
    email: user.email || sessionEmail || "",
    teamId: user.teamId,
    permissions: user.permissions,
  };
}
