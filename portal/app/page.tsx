import Link from "next/link";
import { ErrorPanel, MemberList, Pager, PageTitle, pageParam, Section } from "@/components/panels";
import { CreateTeamForm, TeamInvite } from "@/components/team";
import { actions } from "@/lib/actions";
import { loadPortalConfig } from "@/lib/config/load";
import { recentFromCookies } from "@/lib/recent-server";
import { load } from "@/lib/session";

export default async function Home({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const me = await load(actions.whoAmI, {});
  if (!me.ok) {
    if (me.error.code === "unauthenticated") return <Landing />;
    return <ErrorPanel error={me.error} />;
  }
  const { teamId } = me.data;
  if (!teamId) return <NoTeam isAdmin={me.data.isAdmin} />;

  const page = pageParam((await searchParams).page);
  const [team, members] = await Promise.all([
    load(actions.getTeam, { teamId }),
    load(actions.listMembers, {
      teamId,
      page,
      perPage: 20,
      recent: await recentFromCookies("members"),
    }),
  ]);
  if (!team.ok)
    return team.error.code === "not_found" ? (
      <NoTeam isAdmin={me.data.isAdmin} gone />
    ) : (
      <ErrorPanel error={team.error} />
    );
  if (!members.ok) return <ErrorPanel error={members.error} />;

  return (
    <>
      <PageTitle title={team.data.name} subtitle={`Team ${team.data.teamId}`} />
      <div className="mb-6 grid gap-4 md:grid-cols-2">
        {me.data.environments.map((e) => (
          <Link
            key={e.id}
            href={`/credentials/${e.id}`}
            className="card block p-5 hover:border-brand"
            data-testid={`env-card-${e.id}`}
          >
            <div className="flex items-center gap-2">
              <span
                className={`badge ${e.id === "production" ? "bg-emerald-100 text-emerald-800" : "bg-sky-100 text-sky-800"}`}
              >
                {e.label}
              </span>
              <span className="font-semibold">credentials</span>
            </div>
            <p className="mt-2 text-sm text-slate-600">{e.description}</p>
          </Link>
        ))}
      </div>
      <Section title={`Members (${members.data.total})`} action={<TeamInvite teamId={teamId} />}>
        <MemberList teamId={teamId} members={members.data.items} selfId={me.data.userId} />
        <Pager base="/" page={page} perPage={members.data.perPage} total={members.data.total} />
      </Section>
    </>
  );
}

function Landing() {
  const { branding } = loadPortalConfig();
  return (
    <div className="mx-auto max-w-2xl py-16 text-center">
      {branding.logo && <img src={branding.logo} alt="" className="mx-auto mb-6 h-16 w-16" />}
      <h1 className="text-4xl font-semibold tracking-tight">{branding.title}</h1>
      <p className="mt-4 text-lg text-slate-600">{branding.subtitle}</p>
      <div className="mt-8 flex flex-wrap items-center justify-center gap-3">
        <a href="/auth/login" className="btn-primary px-6 py-2.5 text-base">
          Sign in to get started
        </a>
        {/* Auth0's sign-up prompt (`screen_hint=signup`, passed on by nextjs-auth0's login route). */}
        <a href="/auth/login?screen_hint=signup" className="btn-secondary px-6 py-2.5 text-base">
          Create an account
        </a>
      </div>
    </div>
  );
}

function NoTeam({ isAdmin, gone }: { isAdmin: boolean; gone?: boolean }) {
  return (
    <div className="mx-auto max-w-2xl" data-testid="no-team">
      <PageTitle
        title={gone ? "Your team no longer exists" : "You are not in a team yet"}
        subtitle="Credentials belong to teams. Join your colleagues' team or start a new one."
      />
      <div className="grid gap-4">
        <div className="card p-5">
          <h2 className="font-semibold">Join an existing team</h2>
          <p className="mt-1 text-sm text-slate-600">
            Ask a member of your team for an invite link (Team page → “Create invite link”) and open
            it while signed in. Links expire after a few days, and when a member is removed.
          </p>
        </div>
        <div className="card p-5">
          <h2 className="mb-3 font-semibold">Start a new team</h2>
          <CreateTeamForm />
        </div>
        {isAdmin && (
          <p className="text-sm text-slate-600">
            You are a portal admin:{" "}
            <Link className="text-brand underline" href="/admin">
              manage all teams
            </Link>
            .
          </p>
        )}
      </div>
    </div>
  );
}
