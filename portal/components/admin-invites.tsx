"use client";
// Pending admin invites (issuer, expiry) and their Revoke button (lib/domain/invite-issuer.ts).
import { useRouter } from "next/navigation";
import { adminRevokeAdminInviteAction } from "@/app/actions";
import { ConfirmButton, ErrorNote } from "./ui";
import { useAction } from "./use-action";

export interface PendingAdminInviteRow {
  id: string;
  email: string;
  expiresAt: string;
  issuerId: string;
  issuerEmail: string;
}

export function PendingAdminInvites({ invites }: { invites: PendingAdminInviteRow[] }) {
  if (invites.length === 0)
    return <p className="px-5 py-3 text-sm text-slate-500">No pending admin invites.</p>;
  return (
    <ul className="divide-y divide-slate-100" data-testid="admin-invite-list">
      {invites.map((i) => (
        <li key={i.id} className="flex items-center gap-3 px-5 py-3">
          <span className="min-w-0 flex-1">
            <span className="block text-sm font-medium">{i.email}</span>
            <span className="block text-xs text-slate-500">
              issued by {i.issuerEmail}, expires {new Date(i.expiresAt).toUTCString()}
            </span>
          </span>
          <RevokeAdminInvite issuerId={i.issuerId} inviteId={i.id} />
        </li>
      ))}
    </ul>
  );
}

function RevokeAdminInvite({ issuerId, inviteId }: { issuerId: string; inviteId: string }) {
  const router = useRouter();
  const { pending, error, call } = useAction(adminRevokeAdminInviteAction);
  return (
    <div className="text-right">
      <ConfirmButton
        danger
        label="Revoke"
        confirmLabel="Revoke"
        question="Revoke this admin invite?"
        pending={pending}
        onConfirm={() => call({ issuerId, inviteId }, () => router.refresh())}
      />
      <ErrorNote error={error} />
    </div>
  );
}
