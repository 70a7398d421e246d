// The tenants' current rate-limit waits, for the create form's "Waiting for the production
// tenant's rate limit…" (lib/domain/rate-wait.ts). Signed-in users only; no Management call.
import { auth0 } from "../../../lib/auth0";
import { rateWaits } from "../../../lib/domain/rate-wait";
import { portal } from "../../../lib/portal";

export const dynamic = "force-dynamic";

export async function GET() {
  if (!(await auth0().getSession()))
    return Response.json({ code: "unauthenticated", message: "Sign in first." }, { status: 401 });
  return Response.json({ waits: rateWaits(portal()) });
}
