import { PageTitle } from "@/components/panels";
import { AcceptInvite } from "@/components/team";
import { currentActor } from "@/lib/session";

export default async function JoinPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const raw = (await searchParams).token;
  const token = Array.isArray(raw) ? raw[0] : raw;
  if (!token)
    return (
      <PageTitle title="Invite link incomplete" subtitle="Open the full link you were sent." />
    );
  const actor = await currentActor().catch(() => null);
  const returnTo = `/join?token=${encodeURIComponent(token)}`;
  return (
    <div className="mx-auto max-w-xl">
      <PageTitle
        title="You have been invited"
        subtitle="Accepting adds you to the team (or, for an admin invite sent to your verified email address, makes you a portal admin)."
      />
      <div className="card p-6">
        {actor ? (
          <AcceptInvite token={token} label="Accept invite" />
        ) : (
          <a className="btn-primary" href={`/auth/login?returnTo=${encodeURIComponent(returnTo)}`}>
            Sign in to accept
          </a>
        )}
      </div>
    </div>
  );
}
