// Liveness for the container HEALTHCHECK and the load balancer. Public by design: it reports
// nothing but "ok" and the config's validity, and makes no Management API call.
import { loadPortalConfig } from "../../../lib/config/load";

export const dynamic = "force-dynamic";

export function GET() {
  try {
    loadPortalConfig();
    return Response.json({ status: "ok" });
  } catch {
    return Response.json({ status: "config_invalid" }, { status: 503 });
  }
}
