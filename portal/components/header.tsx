import Link from "next/link";
import { loadPortalConfig } from "@/lib/config/load";
import { isAdmin, offeredEnvironments } from "@/lib/domain/context";
import { portal } from "@/lib/portal";
import { currentActor } from "@/lib/session";

export async function Header() {
  const { branding, apis } = loadPortalConfig();
  const actor = await currentActor().catch(() => null);
  const environments = actor?.teamId ? offeredEnvironments(portal()) : [];
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-6xl items-center gap-6 px-6 py-3">
        <Link href="/" className="flex items-center gap-2.5">
          {branding.logo && <img src={branding.logo} alt="" className="h-8 w-8" />}
          <span className="font-semibold tracking-tight">{branding.title}</span>
        </Link>
        {actor && (
          <nav className="flex items-center gap-1 text-sm" aria-label="Main">
            {actor.teamId && <NavLink href="/">Team</NavLink>}
            {environments.map((e) => (
              <NavLink key={e.id} href={`/credentials/${e.id}`}>
                {e.label}
              </NavLink>
            ))}
            {apis.length > 0 && <NavLink href="/reference">API reference</NavLink>}
            {isAdmin(actor) && <NavLink href="/admin">Admin</NavLink>}
          </nav>
        )}
        <div className="ml-auto flex items-center gap-3 text-sm">
          {actor ? (
            <>
              <span className="text-slate-500" data-testid="signed-in-as">
                {actor.email}
              </span>
              <a
                className="btn-secondary"
                href="/auth/logout"
                title="Ends your sessions on every browser and device"
              >
                Sign out
              </a>
            </>
          ) : (
            <>
              {/* The API reference is public (read-only when signed out). */}
              {apis.length > 0 && <NavLink href="/reference">API reference</NavLink>}
              <a className="btn-primary" href="/auth/login">
                Sign in
              </a>
            </>
          )}
        </div>
      </div>
    </header>
  );
}

function NavLink({ href, children }: { href: string; children: React.ReactNode }) {
  return (
    <Link
      href={href}
      className="rounded-md px-3 py-1.5 text-slate-600 hover:bg-slate-100 hover:text-slate-900"
    >
      {children}
    </Link>
  );
}
