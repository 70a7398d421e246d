"use client";
/**
 * "Try it" on the reference page (signed-in members, Sandbox only). The member picks one of their
 * team's Sandbox credentials and gets a token: a client secret is typed once, sent with that one
 * exchange and cleared from the form; a key pair signs a one-time assertion here from the
 * private key file (key-pair-crypto.ts). The token lives only in this page's memory (React
 * state: no storage, no cookie, gone on reload) and each request goes through the portal
 * (tryApiRequestAction), which sends it to the API's Sandbox base URL only.
 */
import { createContext, type ReactNode, useContext, useState } from "react";
import {
  tryApiRequestAction,
  tryCredentialAction,
  tryKeyPairCredentialAction,
} from "@/app/actions";
import type { Operation } from "@/lib/reference/operations";
import { tokenCurl } from "@/lib/reference/samples";
import { keyPairSnippet, privateKeyFileName } from "@/lib/snippets/key-pair-token";
import { type KeyAlg, signClientAssertion } from "../key-pair-crypto";
import { ClientForm, CodeBlock, ErrorNote } from "../ui";
import { useAction } from "../use-action";

export interface TryCredential {
  clientId: string;
  name: string;
  kind: "client_secret" | "key_pair";
  keyAlg?: KeyAlg | undefined;
}

export interface TryItSetup {
  teamId: string;
  api: string;
  audience: string;
  scopes: string[];
  tokenUrl: string;
  assertionAudience: string;
  credentials: TryCredential[];
  caFile?: string | undefined;
}

interface Token {
  clientId: string;
  accessToken: string;
  scope: string;
}

const TryItContext = createContext<{ setup: TryItSetup; token: Token | null } | null>(null);

/** Holds the token for the operations below it; renders the token panel first. */
export function TryItProvider({ setup, children }: { setup: TryItSetup; children: ReactNode }) {
  const [token, setToken] = useState<Token | null>(null);
  return (
    <TryItContext.Provider value={{ setup, token }}>
      <TokenPanel setup={setup} token={token} onToken={setToken} />
      {children}
    </TryItContext.Provider>
  );
}

function TokenPanel({
  setup,
  token,
  onToken,
}: {
  setup: TryItSetup;
  token: Token | null;
  onToken: (t: Token | null) => void;
}) {
  const [clientId, setClientId] = useState(setup.credentials[0]?.clientId ?? "");
  const [secret, setSecret] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const secretAction = useAction(tryCredentialAction);
  const keyAction = useAction(tryKeyPairCredentialAction);
  const credential = setup.credentials.find((c) => c.clientId === clientId);
  const pending = secretAction.pending || keyAction.pending;
  const done = (data: { accessToken: string; claims: Record<string, unknown> }) =>
    onToken({
      clientId,
      accessToken: data.accessToken,
      scope: typeof data.claims.scope === "string" ? data.claims.scope : "",
    });

  const getToken = async () => {
    if (!credential) return;
    onToken(null);
    if (credential.kind === "client_secret") {
      const clientSecret = secret;
      // Cleared at once: the secret exists only for this one exchange.
      setSecret("");
      secretAction.call(
        { teamId: setup.teamId, clientId, clientSecret, audience: setup.audience },
        done,
      );
      return;
    }
    if (!file) return;
    let clientAssertion: string;
    try {
      clientAssertion = await signClientAssertion(
        await file.text(),
        credential.keyAlg ?? "RS256",
        clientId,
        setup.assertionAudience,
      );
    } catch (e) {
      keyAction.setError({ code: "invalid_input", message: (e as Error).message, requestId: "-" });
      return;
    }
    keyAction.call(
      { teamId: setup.teamId, clientId, clientAssertion, audience: setup.audience },
      done,
    );
  };

  if (setup.credentials.length === 0)
    return (
      <section className="card mb-6 p-4 text-sm" data-testid="try-no-credentials">
        To try operations here, create a Sandbox credential first (
        <a className="text-brand underline" href="/credentials/sandbox">
          Sandbox credentials
        </a>
        ).
      </section>
    );
  return (
    <section className="card mb-6 grid gap-3 p-4" aria-labelledby="try-token-heading">
      <h2 id="try-token-heading" className="font-semibold">
        Try it with your Sandbox credential
      </h2>
      <ClientForm onSubmit={() => void getToken()} className="flex flex-wrap items-end gap-3">
        <label className="grid gap-1 text-sm">
          <span>Credential</span>
          <select
            className="input"
            value={clientId}
            data-testid="try-credential"
            onChange={(e) => {
              setClientId(e.target.value);
              onToken(null);
            }}
          >
            {setup.credentials.map((c) => (
              <option key={c.clientId} value={c.clientId}>
                {c.name} ({c.kind === "key_pair" ? "key pair" : "client secret"})
              </option>
            ))}
          </select>
        </label>
        {credential?.kind === "client_secret" ? (
          <label className="grid min-w-64 flex-1 gap-1 text-sm">
            <span>Client secret (used once for a token, never stored)</span>
            <input
              className="input"
              type="password"
              autoComplete="off"
              value={secret}
              data-testid="try-secret"
              onChange={(e) => setSecret(e.target.value)}
            />
          </label>
        ) : (
          <label className="grid gap-1 text-sm">
            <span>Private key file (signs a one-time assertion here)</span>
            <input
              type="file"
              accept=".pem,application/x-pem-file,text/plain"
              data-testid="try-key-file"
              onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            />
          </label>
        )}
        <button
          type="submit"
          className="btn-primary"
          disabled={pending}
          data-testid="try-get-token"
        >
          {pending ? "Getting a token…" : "Get a token"}
        </button>
      </ClientForm>
      <ErrorNote error={secretAction.error ?? keyAction.error} />
      {token && (
        <p className="text-sm text-emerald-700" data-testid="try-token-ready">
          Token ready (scopes: {token.scope || "none"}). It stays in this page only.
        </p>
      )}
      <CodeBlock
        title="Get a token yourself"
        value={
          credential?.kind === "key_pair"
            ? keyPairSnippet({
                clientId,
                tokenUrl: setup.tokenUrl,
                assertionAudience: setup.assertionAudience,
                audience: setup.audience,
                alg: credential.keyAlg ?? "RS256",
                keyFile: privateKeyFileName(credential.name),
              })
            : tokenCurl({
                tokenUrl: setup.tokenUrl,
                clientId,
                audience: setup.audience,
                scopes: setup.scopes,
                caFile: setup.caFile,
              })
        }
        copyLabel="Copy"
        testId="try-token-sample"
      />
    </section>
  );
}

interface TryResult {
  status: number;
  body: string;
  truncated: boolean;
  explanation?: string | undefined;
}

/** The request form of one operation; sends only with a token from the panel above. */
export function TryOperation({ operation }: { operation: Operation }) {
  const context = useContext(TryItContext);
  const { pending, error, call } = useAction(tryApiRequestAction);
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(operation.parameters.map((p) => [`${p.in}:${p.name}`, p.example ?? ""])),
  );
  const [body, setBody] = useState(operation.bodyExample ?? "");
  const [result, setResult] = useState<TryResult | null>(null);
  if (!context) return null;
  const { setup, token } = context;
  const inputs = operation.parameters.filter((p) => p.in === "path" || p.in === "query");

  const send = () => {
    if (!token) return;
    const path = operation.path.replace(/\{([^}]+)\}/g, (_, name: string) =>
      encodeURIComponent(values[`path:${name}`] ?? ""),
    );
    const query = Object.fromEntries(
      inputs
        .filter((p) => p.in === "query" && values[`query:${p.name}`])
        .map((p) => [p.name, values[`query:${p.name}`] as string]),
    );
    setResult(null);
    call(
      {
        teamId: setup.teamId,
        clientId: token.clientId,
        api: setup.api,
        operationId: operation.id,
        path,
        query,
        ...(operation.hasBody ? { body } : {}),
        accessToken: token.accessToken,
      },
      setResult,
    );
  };

  return (
    <ClientForm onSubmit={send} className="mt-3 grid gap-2 rounded-md bg-slate-50 p-3">
      {inputs.map((p) => (
        <label key={`${p.in}:${p.name}`} className="grid gap-1 text-sm">
          <span>
            {p.name} <span className="text-xs text-slate-500">({p.in})</span>
          </span>
          <input
            className="input"
            value={values[`${p.in}:${p.name}`] ?? ""}
            required={p.required}
            onChange={(e) => setValues({ ...values, [`${p.in}:${p.name}`]: e.target.value })}
          />
        </label>
      ))}
      {operation.hasBody && (
        <label className="grid gap-1 text-sm">
          <span>Request body (JSON)</span>
          <textarea
            className="input font-mono text-xs"
            rows={4}
            value={body}
            onChange={(e) => setBody(e.target.value)}
          />
        </label>
      )}
      <div className="flex items-center gap-3">
        <button
          type="submit"
          className="btn-secondary"
          disabled={pending || !token}
          data-testid={`try-send-${operation.id}`}
        >
          {pending ? "Sending…" : `Send ${operation.method.toUpperCase()} ${operation.path}`}
        </button>
        {!token && <span className="text-xs text-slate-500">Get a token above first.</span>}
      </div>
      <ErrorNote error={error} />
      {result && (
        <div data-testid={`try-result-${operation.id}`}>
          <p className="text-sm font-medium">
            HTTP <span data-testid="try-status">{result.status}</span>
          </p>
          {result.explanation && (
            <p
              role="alert"
              className="my-2 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800"
              data-testid="try-explanation"
            >
              {result.explanation}
            </p>
          )}
          <pre className="max-h-80 overflow-auto whitespace-pre-wrap break-all rounded-md bg-white p-3 text-xs">
            {result.body}
            {result.truncated ? "\n… (cut at 64 KB)" : ""}
          </pre>
        </div>
      )}
    </ClientForm>
  );
}
