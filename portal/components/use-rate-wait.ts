"use client";
import { useEffect, useState } from "react";
import { rateWaitMessage, type TenantWait } from "@/lib/rate-wait-message";

/** How often a pending create asks whether its calls wait for a tenant's rate limit. */
const POLL_MS = 1000;

/**
 * While `pending`, the line saying which tenant's rate limit the action waits for (from
 * GET /api/rate-wait), or undefined while nothing waits; a failed poll shows nothing new.
 */
export function useRateWait(pending: boolean): string | undefined {
  const [message, setMessage] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (!pending) {
      setMessage(undefined);
      return;
    }
    let stopped = false;
    const poll = async () => {
      try {
        const response = await fetch("/api/rate-wait", { cache: "no-store" });
        if (!response.ok || stopped) return;
        const { waits } = (await response.json()) as { waits: TenantWait[] };
        if (!stopped) setMessage(rateWaitMessage(waits));
      } catch {
        // The create's own answer says what happened; this line is only a hint.
      }
    };
    const timer = setInterval(poll, POLL_MS);
    void poll();
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [pending]);
  return message;
}
