"use client";
import { useState, useTransition } from "react";
import type { ActionResult } from "@/lib/guard";

export type ActionError = { code: string; message: string; requestId: string };

/** What a server action returns when it succeeds. */
export type ActionData<F extends (...args: never[]) => Promise<unknown>> =
  Awaited<ReturnType<F>> extends infer R
    ? R extends { ok: true; data: infer D }
      ? D
      : never
    : never;

/** Calls a server action, tracking pending state and the error (with its request id). */
export function useAction<I, O>(action: (input: I) => Promise<ActionResult<O>>) {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<ActionError | null>(null);
  const call = (input: I, onSuccess?: (data: O) => void) =>
    startTransition(async () => {
      setError(null);
      try {
        const result = await action(input);
        if (result.ok) onSuccess?.(result.data);
        else setError(result.error);
      } catch {
        setError({ code: "network", message: "The portal could not be reached.", requestId: "-" });
      }
    });
  return { pending, error, call, setError };
}
