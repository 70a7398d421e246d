// The tenants' current rate-limit waits, for the create form's "Waiting for the production
// tenant's rate limit…": signed-in users only (lib/rate-wait-route.ts).
import type { NextRequest } from "next/server";
import { answerRateWait } from "../../../lib/rate-wait-route";

export const dynamic = "force-dynamic";

export function GET(request: NextRequest) {
  return answerRateWait(request);
}
