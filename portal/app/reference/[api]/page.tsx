/**
 * /reference/<api>: the API's reference, rendered on the server from its OpenAPI document
 * (docs/decisions/0900-api-reference.md). Public and read-only when signed out; a member of a
 * team gets "Try it" on the team's Sandbox credentials. Production is documented (base URL,
 * token URL, audience, scopes, samples) and never called.
 */
import type { Environment } from "@astral/contract";
import { notFound } from "next/navigation";
import { ErrorPanel, PageTitle } from "@/components/panels";
import { OperationView, type SampleTarget } from "@/components/reference/operation";
import { TryItProvider, type TryItSetup, TryOperation } from "@/components/reference/try-it";
import { CodeBlock } from "@/components/ui";
import { actions } from "@/lib/actions";
import { loadPortalConfig } from "@/lib/config/load";
import type { ApiReferenceConfig, PortalConfig } from "@/lib/config/schema";
import { portal } from "@/lib/portal";
import { recentFromCookies } from "@/lib/recent-server";
import { loadApiDocument } from "@/lib/reference/documents";
import { listOperations } from "@/lib/reference/operations";
import { tokenCurl } from "@/lib/reference/samples";
import { currentActor, load } from "@/lib/session";

interface EnvironmentTarget extends SampleTarget {
  id: Environment;
  audience: string;
  scopes: string[];
  tokenUrl?: string | undefined;
}

/** The environments this API is documented in that this portal offers, Sandbox first. */
function targetsOf(api: ApiReferenceConfig, config: PortalConfig): EnvironmentTarget[] {
  return (["sandbox", "production"] as const).flatMap((id) => {
    const target = api.environments[id];
    const environment = config.environments.find((e) => e.id === id);
    if (!target || !environment) return [];
    const domain = portal().tenants[id]?.domain;
    return [
      {
        id,
        label: environment.label,
        baseUrl: target.baseUrl,
        audience: target.audience,
        scopes: environment.apis.find((a) => a.audience === target.audience)?.scopes ?? [],
        tokenUrl: domain ? `https://${domain}/oauth/token` : undefined,
      },
    ];
  });
}

/** Try it for a signed-in member whose portal offers this API's Sandbox; else undefined. */
async function tryItSetup(api: ApiReferenceConfig, sandbox: EnvironmentTarget | undefined) {
  const actor = await currentActor().catch(() => null);
  const domain = portal().tenants.sandbox?.domain;
  if (!actor?.teamId || !sandbox || !domain) return { signedIn: Boolean(actor), setup: undefined };
  // With the ones this browser just made, which Auth0's search may not list yet (ADR 0600).
  const list = await load(actions.listCredentials, {
    teamId: actor.teamId,
    environment: "sandbox",
    take: 50,
    recent: await recentFromCookies("sandbox"),
  });
  const setup: TryItSetup = {
    teamId: actor.teamId,
    api: api.id,
    audience: sandbox.audience,
    scopes: sandbox.scopes,
    tokenUrl: `https://${domain}/oauth/token`,
    assertionAudience: `https://${domain}/`,
    credentials: list.ok
      ? list.data.items.map((c) => ({
          clientId: c.clientId,
          name: c.name,
          kind: c.kind,
          keyAlg: c.keyAlg,
        }))
      : [],
    caFile: process.env.PORTAL_CURL_CA_FILE,
  };
  return { signedIn: true, setup };
}

export default async function ReferencePage({ params }: { params: Promise<{ api: string }> }) {
  const { api: id } = await params;
  const config = loadPortalConfig();
  const api = config.apis.find((a) => a.id === id);
  if (!api) notFound();
  let operations: ReturnType<typeof listOperations>;
  try {
    operations = listOperations(await loadApiDocument(api));
  } catch (error) {
    return (
      <ErrorPanel
        error={{ code: "not_configured", message: (error as Error).message, requestId: "-" }}
      />
    );
  }
  const targets = targetsOf(api, config);
  const sandbox = targets.find((t) => t.id === "sandbox");
  const { signedIn, setup } = await tryItSetup(api, sandbox);

  const list = operations.map((operation) => (
    <OperationView
      key={operation.id}
      operation={operation}
      targets={targets}
      tryIt={setup ? <TryOperation operation={operation} /> : undefined}
    />
  ));
  return (
    <>
      <PageTitle title={api.title} subtitle={api.description} />
      <nav aria-label="Operations" className="mb-6 flex flex-wrap gap-2 text-sm">
        {operations.map((o) => (
          <a key={o.id} href={`#${o.id}`} className="badge hover:border-brand">
            {o.method.toUpperCase()} {o.path}
          </a>
        ))}
      </nav>
      <section className="mb-6 grid gap-3 lg:grid-cols-2" aria-label="Authentication">
        {targets.map((t) => (
          <div key={t.id} className="card grid gap-2 p-4 text-sm" data-testid={`auth-${t.id}`}>
            <h2 className="font-semibold">{t.label}</h2>
            <p>
              Base URL <code>{t.baseUrl}</code>; tokens for audience <code>{t.audience}</code> with
              scopes <code>{t.scopes.join(" ") || "(none)"}</code>.
            </p>
            {t.id === "production" && (
              <p className="text-slate-600">
                Shown for reference: the portal sends nothing to Production.
              </p>
            )}
            {t.tokenUrl && (
              <CodeBlock
                title={`${t.label} token`}
                value={tokenCurl({
                  tokenUrl: t.tokenUrl,
                  clientId: "YOUR_CLIENT_ID",
                  audience: t.audience,
                  scopes: t.scopes,
                })}
                copyLabel="Copy"
                testId={`token-sample-${t.id}`}
              />
            )}
          </div>
        ))}
      </section>
      {!setup && sandbox && (
        <p className="mb-6 text-sm text-slate-600" data-testid="try-sign-in">
          {signedIn ? (
            "Join a team to try these operations on Sandbox."
          ) : (
            <>
              <a
                className="text-brand underline"
                href={`/auth/login?returnTo=/reference/${api.id}`}
              >
                Sign in
              </a>{" "}
              to try these operations with your own Sandbox credential.
            </>
          )}
        </p>
      )}
      {setup ? <TryItProvider setup={setup}>{list}</TryItProvider> : list}
    </>
  );
}
