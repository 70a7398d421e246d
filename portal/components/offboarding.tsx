"use client";
// After a member is removed: the team's credentials whose working secret or private key they
// still hold (lib/domain/offboarding.ts), and one button that rotates the secrets.
import { useRouter } from "next/navigation";
import { useState } from "react";
import { type removeMemberAction, rotateCredentialsAction } from "@/app/actions";
import { SecretReveal } from "./credentials";
import { ErrorNote } from "./ui";
import { type ActionData, useAction } from "./use-action";

type Held = ActionData<typeof removeMemberAction>["held"][number];

export function HeldCredentials({ teamId, held }: { teamId: string; held: Held[] }) {
  const router = useRouter();
  const { pending, error, call } = useAction(rotateCredentialsAction);
  const [rotated, setRotated] = useState<ActionData<typeof rotateCredentialsAction>>([]);
  const secrets = held.filter((c) => c.holds === "secret");
  const keys = held.filter((c) => c.holds === "private key");
  if (rotated.length > 0)
    return (
      <div className="grid gap-3 text-left" data-testid="offboarding-rotated">
        {rotated.map((c) => (
          <SecretReveal
            key={c.clientId}
            credential={c}
            onDone={() => {
              const rest = rotated.filter((r) => r.clientId !== c.clientId);
              setRotated(rest);
              if (rest.length === 0) router.refresh();
            }}
          />
        ))}
      </div>
    );
  return (
    <div className="card mt-2 p-4 text-left text-sm" data-testid="offboarding-held">
      <p className="font-medium">The removed member still holds these credentials:</p>
      <ul className="my-2 list-disc pl-5">
        {held.map((c) => (
          <li key={c.clientId}>
            {c.name} ({c.environment}): {c.holds === "secret" ? "its secret" : "its private key"}
          </li>
        ))}
      </ul>
      {keys.length > 0 && (
        <p className="text-slate-600">Key pairs cannot be rotated: replace them, then revoke.</p>
      )}
      {secrets.length > 0 && (
        <button
          type="button"
          className="btn-primary mt-2"
          disabled={pending}
          onClick={() =>
            call(
              {
                teamId,
                credentials: secrets.map((c) => ({
                  environment: c.environment,
                  clientId: c.clientId,
                })),
              },
              setRotated,
            )
          }
        >
          Rotate {secrets.length === 1 ? "this secret" : `these ${secrets.length} secrets`}
        </button>
      )}
      <ErrorNote error={error} />
    </div>
  );
}
