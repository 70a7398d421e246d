/**
 * GET /api/rate-wait (app/api/rate-wait/route.ts): the tenants' current rate-limit waits for a
 * signed-in user's pending create. It reveals how long a Management call would wait, nothing
 * else, and makes no Management call; without a session, 401.
 */
import type { NextRequest } from "next/server";
import { auth0 } from "./auth0";
import { rateWaits } from "./domain/rate-wait";
import { portal } from "./portal";

export async function answerRateWait(request: NextRequest): Promise<Response> {
  if (!(await auth0().getSession(request)))
    return Response.json({ code: "unauthenticated", message: "Sign in first." }, { status: 401 });
  return Response.json({ waits: rateWaits(portal()) });
}
