// Readiness for the load balancer's target check: 503 while a new task reads its pages' first
// reads ahead of them (lib/readiness.ts), 200 after; public like /api/health, it reports only
// that, and makes no Management API call. The container's HEALTHCHECK stays on /api/health.
import { loadPortalConfig } from "../../../lib/config/load";
import { isReady } from "../../../lib/readiness";

export const dynamic = "force-dynamic";

export function GET() {
  try {
    loadPortalConfig();
  } catch {
    return Response.json({ status: "config_invalid" }, { status: 503 });
  }
  return isReady()
    ? Response.json({ status: "ok" })
    : Response.json({ status: "warming" }, { status: 503 });
}
