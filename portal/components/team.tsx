"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import {
  acceptInviteAction,
  adminCreateAdminInviteAction,
  adminCreateTeamAction,
  adminDeleteTeamAction,
  adminRemoveAdminAction,
  createTeamAction,
  createTeamInviteAction,
  removeMemberAction,
  resetTeamInvitesAction,
} from "@/app/actions";
import { HeldCredentials } from "./offboarding";
import { rememberRecent } from "./recent";
import {
  ClientForm,
  ConfirmButton,
  ErrorNote,
  Field,
  LabeledInput,
  NameInput,
  useHydrated,
} from "./ui";
import { type ActionData, useAction } from "./use-action";

function TeamNameForm({
  action,
  cta,
  onCreated,
}: {
  action: typeof createTeamAction;
  cta: string;
  onCreated: (teamId: string) => void;
}) {
  const { pending, error, call } = useAction(action);
  const [name, setName] = useState("");
  // Kept until a create succeeds, so a retried submit finds the team it made.
  const [key, setKey] = useState(() => crypto.randomUUID().replaceAll("-", ""));
  return (
    <ClientForm
      className="flex flex-wrap items-end gap-3"
      onSubmit={() =>
        call({ name, idempotencyKey: key }, (team) => {
          setName("");
          setKey(crypto.randomUUID().replaceAll("-", ""));
          onCreated(team.teamId);
        })
      }
    >
      <NameInput
        label="Team name"
        name="teamName"
        placeholder="e.g. Payments"
        value={name}
        onChange={setName}
      />
      <button type="submit" className="btn-primary" disabled={pending}>
        {pending ? "Creating…" : cta}
      </button>
      <div className="w-full">
        <ErrorNote error={error} />
      </div>
    </ClientForm>
  );
}

export function CreateTeamForm() {
  const router = useRouter();
  return (
    <TeamNameForm action={createTeamAction} cta="Create team" onCreated={() => router.refresh()} />
  );
}

export function AdminCreateTeamForm() {
  const router = useRouter();
  return (
    <TeamNameForm
      action={adminCreateTeamAction}
      cta="Create team"
      onCreated={(teamId) => router.push(`/admin/teams/${teamId}`)}
    />
  );
}

function InviteLink({
  token,
  path,
  expiresAt,
  admin = false,
}: {
  token: string;
  path: string;
  expiresAt: string;
  admin?: boolean;
}) {
  const url = `${window.location.origin}${path}?token=${encodeURIComponent(token)}`;
  return (
    <div className="mt-3 grid gap-1">
      <Field label="Invite link" value={url} testId="invite-link" />
      <p className="text-xs text-slate-500" data-testid="invite-terms">
        {admin
          ? "Makes the signed-in user with this verified email address a portal admin: all teams, their members and credentials, and other admins. It works once, "
          : "Lets anyone signed in who opens it join this team as a member, with every member's rights: create, rotate and revoke the team's credentials and remove members. Send it to one person. It works "}
        until {new Date(expiresAt).toLocaleString("en-GB", { timeZone: "UTC" })} UTC
        {admin
          ? ", and not after that person's admin rights are removed."
          : ", or until a member is removed or the team's links are reset, whichever comes first."}
      </p>
    </div>
  );
}

export function TeamInvite({ teamId }: { teamId: string }) {
  const { pending, error, call } = useAction(createTeamInviteAction);
  const reset = useAction(resetTeamInvitesAction);
  const hydrated = useHydrated();
  const [invite, setInvite] = useState<{ token: string; expiresAt: string } | null>(null);
  const [wasReset, setWasReset] = useState(false);
  return (
    <div>
      <div className="flex flex-wrap items-center justify-end gap-2">
        <ConfirmButton
          label="Reset invite links"
          confirmLabel="Reset links"
          question="End every invite link of this team made so far?"
          pending={reset.pending}
          onConfirm={() =>
            reset.call({ teamId }, () => {
              setInvite(null);
              setWasReset(true);
            })
          }
        />
        <button
          type="button"
          className="btn-primary"
          disabled={!hydrated || pending}
          onClick={() =>
            call({ teamId }, (made) => {
              setWasReset(false);
              setInvite(made);
            })
          }
        >
          {pending ? "Creating…" : "Create invite link"}
        </button>
      </div>
      <ErrorNote error={error ?? reset.error} />
      {wasReset && (
        <p className="mt-2 text-xs text-slate-600" data-testid="invites-reset">
          Every earlier invite link of this team has stopped working.
        </p>
      )}
      {invite && <InviteLink path="/join" {...invite} />}
    </div>
  );
}

export function AdminInvite() {
  const { pending, error, call } = useAction(adminCreateAdminInviteAction);
  const [email, setEmail] = useState("");
  const [invite, setInvite] = useState<{ token: string; expiresAt: string } | null>(null);
  return (
    <ClientForm
      className="grid gap-2"
      onSubmit={() => {
        setInvite(null);
        call({ email }, setInvite);
      }}
    >
      <div className="flex flex-wrap items-end gap-3">
        <LabeledInput
          label="Invitee's email"
          name="inviteEmail"
          type="email"
          placeholder="name@example.com"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          required
          maxLength={254}
        />
        <button type="submit" className="btn-primary" disabled={pending}>
          {pending ? "Creating…" : "Create admin invite link"}
        </button>
      </div>
      <ErrorNote error={error} />
      {invite && <InviteLink path="/join" admin {...invite} />}
    </ClientForm>
  );
}

export function RemoveMember({
  teamId,
  userId,
  self,
}: {
  teamId: string;
  userId: string;
  self: boolean;
}) {
  const router = useRouter();
  const { pending, error, call } = useAction(removeMemberAction);
  const [held, setHeld] = useState<ActionData<typeof removeMemberAction>["held"]>([]);
  if (held.length > 0) return <HeldCredentials teamId={teamId} held={held} />;
  return (
    <div className="text-right">
      <ConfirmButton
        danger
        label={self ? "Leave team" : "Remove"}
        confirmLabel={self ? "Leave" : "Remove"}
        question={self ? "Leave this team?" : "Remove from team?"}
        pending={pending}
        onConfirm={() =>
          call({ teamId, userId }, (r) => {
            rememberRecent("members", userId);
            // Offboarding: what they still hold, and a one-step rotation (not when leaving).
            if (!self && r.held.length > 0) setHeld(r.held);
            else router.refresh();
          })
        }
      />
      <ErrorNote error={error} />
    </div>
  );
}

export function AcceptInvite({ token, label }: { token: string; label: string }) {
  const router = useRouter();
  const { pending, error, call } = useAction(acceptInviteAction);
  const hydrated = useHydrated();
  return (
    <div>
      <button
        type="button"
        className="btn-primary"
        disabled={!hydrated || pending}
        onClick={() =>
          call({ token }, (r) => {
            router.push(r.kind === "admin" ? "/admin" : "/");
            router.refresh();
          })
        }
      >
        {pending ? "Joining…" : label}
      </button>
      <ErrorNote error={error} />
    </div>
  );
}

type DeleteResult = { credentials: number; members: number; finishAfter?: string | undefined };

/**
 * Deleting runs in passes (ADR 0600): the search indexes may not show everything made just
 * before, so the record stays until they have caught up and a later pass finds nothing left.
 */
export function DeleteTeam({
  teamId,
  name,
  deleting,
}: {
  teamId: string;
  name: string;
  deleting: boolean;
}) {
  const router = useRouter();
  const { pending, error, call } = useAction(adminDeleteTeamAction);
  const [partial, setPartial] = useState<DeleteResult | null>(null);
  return (
    <div className="max-w-md">
      <ConfirmButton
        danger
        label={deleting ? "Finish deleting" : "Delete team"}
        confirmLabel="Delete team and its credentials"
        question={`Delete ${name}, its credentials in every environment and its memberships?`}
        pending={pending}
        onConfirm={() =>
          call({ teamId }, (result) => {
            if (result.complete) router.push("/admin");
            else {
              setPartial(result);
              router.refresh();
            }
          })
        }
      />
      {partial && (
        <p className="mt-2 text-sm text-slate-600" data-testid="delete-progress">
          Removed {partial.credentials} credentials and {partial.members} members. Auth0's search
          can lag behind recent changes, so the team record stays until{" "}
          {partial.finishAfter
            ? `${new Date(partial.finishAfter).toLocaleTimeString("en-GB", { timeZone: "UTC" })} UTC`
            : "the next pass"}
          ; then choose “Finish deleting”.
        </p>
      )}
      <ErrorNote error={error} />
    </div>
  );
}

export function RemoveAdmin({ userId }: { userId: string }) {
  const router = useRouter();
  const { pending, error, call } = useAction(adminRemoveAdminAction);
  return (
    <div className="text-right">
      <ConfirmButton
        danger
        label="Remove admin"
        confirmLabel="Remove"
        question="Remove admin rights?"
        pending={pending}
        onConfirm={() => call({ userId }, () => router.refresh())}
      />
      <ErrorNote error={error} />
    </div>
  );
}
