"use client";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import {
  createCredentialAction,
  revokeCredentialAction,
  rotateCredentialAction,
  tryCredentialAction,
} from "@/app/actions";
import { CreateKeyPair } from "./key-pair";
import { readRecent, rememberRecent } from "./recent";
import {
  ClientForm,
  CodeBlock,
  ConfirmButton,
  ErrorNote,
  Field,
  KeyCardHeading,
  NameInput,
  TokenView,
  useHydrated,
} from "./ui";
import { type ActionData, useAction } from "./use-action";
import { useRateWait } from "./use-rate-wait";

type Environment = "production" | "sandbox";
type Revealed = ActionData<typeof createCredentialAction>;

function newKey() {
  return crypto.randomUUID().replaceAll("-", "");
}

export function curlFor(c: Revealed, caFile?: string) {
  const body = JSON.stringify({
    client_id: c.clientId,
    client_secret: c.clientSecret,
    audience: c.audiences[0],
    grant_type: "client_credentials",
  });
  return [
    `curl --request POST${caFile ? ` --cacert '${caFile}'` : ""} \\`,
    `  --url ${c.tokenUrl} \\`,
    "  --header 'content-type: application/json' \\",
    `  --data '${body}'`,
  ].join("\n");
}

/** Seconds until `iso` (0 once passed), ticking every second. */
function useSecondsUntil(iso: string): number {
  const left = () => Math.max(0, Math.ceil((Date.parse(iso) - Date.now()) / 1000));
  const [seconds, setSeconds] = useState(left);
  useEffect(() => {
    if (seconds <= 0) return;
    const timer = setTimeout(() => setSeconds(left()), 1000);
    return () => clearTimeout(timer);
  });
  return seconds;
}

/**
 * Auth0: "New secrets may be delayed up to thirty seconds while rotating"
 * (https://auth0.com/docs/get-started/applications/rotate-client-secret). Say when it will work.
 */
function ActivationNote({ activeFrom }: { activeFrom: string }) {
  const seconds = useSecondsUntil(activeFrom);
  const at = new Date(activeFrom).toLocaleTimeString("en-GB", { timeZone: "UTC" });
  return (
    <p
      className="mb-3 rounded-md bg-sky-50 px-3 py-2 text-sm text-sky-800"
      data-testid="activation-note"
    >
      {seconds > 0
        ? `The new secret starts working within ${seconds} s (by ${at} UTC): Auth0 takes up to 30 seconds to apply a new secret. Until then, token requests with it may be refused.`
        : `The new secret is active since ${at} UTC.`}
    </p>
  );
}

/** Shows a secret once, with copy buttons and a ready curl. */
export function SecretReveal({
  credential,
  caFile,
  onDone,
}: {
  credential: Revealed;
  caFile?: string | undefined;
  onDone: () => void;
}) {
  const curl = curlFor(credential, caFile);
  return (
    <div className="card min-w-0 border-amber-300 bg-amber-50/40 p-5" data-testid="secret-reveal">
      <div className="mb-4">
        <KeyCardHeading tone="amber" title="Copy the secret now">
          This is the only time the portal shows it. Store it in your secret manager; if you lose
          it, rotate the credential.
        </KeyCardHeading>
      </div>
      {Date.parse(credential.activeFrom) > Date.now() && (
        <ActivationNote activeFrom={credential.activeFrom} />
      )}
      <div className="grid min-w-0 grid-cols-1 gap-3">
        <Field label="Client ID" value={credential.clientId} testId="reveal-client-id" />
        <Field
          label="Client secret"
          value={credential.clientSecret}
          testId="reveal-client-secret"
        />
        <Field label="Token URL" value={credential.tokenUrl} />
        <CodeBlock title="Get a token" value={curl} copyLabel="Copy curl" testId="reveal-curl" />
      </div>
      {credential.environment === "sandbox" && <TryCredential credential={credential} />}
      <div className="mt-4 text-right">
        <button type="button" className="btn-primary" onClick={onDone}>
          I have stored the secret
        </button>
      </div>
    </div>
  );
}

function TryCredential({ credential }: { credential: Revealed }) {
  const { pending, error, call } = useAction(tryCredentialAction);
  const wait = useSecondsUntil(credential.activeFrom);
  const [result, setResult] = useState<{
    claims: Record<string, unknown>;
    header: Record<string, unknown>;
  } | null>(null);
  return (
    <div className="mt-4 rounded-lg border border-sky-200 bg-sky-50/60 p-4">
      <div className="flex items-center justify-between gap-3">
        <div>
          <h4 className="text-sm font-semibold">Try this credential</h4>
          <p className="text-xs text-slate-600">
            Exchange it for a Sandbox token right here and see what your API will receive.
          </p>
        </div>
        <button
          type="button"
          className="btn-secondary"
          disabled={pending}
          onClick={() =>
            call(
              {
                teamId: credential.teamId,
                clientId: credential.clientId,
                clientSecret: credential.clientSecret,
                audience: credential.audiences[0] ?? "",
                activeFrom: credential.activeFrom,
              },
              (data) => setResult({ claims: data.claims, header: data.header }),
            )
          }
        >
          {pending
            ? wait > 0
              ? `Waiting for the new secret (${wait} s)…`
              : "Requesting…"
            : "Get a token"}
        </button>
      </div>
      <ErrorNote error={error} />
      {result && <TokenView result={result} />}
    </div>
  );
}

export function CreateCredential({
  teamId,
  environment,
  label,
  caFile,
}: {
  teamId: string;
  environment: Environment;
  label: string;
  caFile?: string | undefined;
}) {
  const router = useRouter();
  const { pending, error, call } = useAction(createCredentialAction);
  const waiting = useRateWait(pending);
  const [name, setName] = useState("");
  const [key, setKey] = useState(newKey);
  const [revealed, setRevealed] = useState<Revealed | null>(null);
  if (revealed)
    return (
      <SecretReveal
        credential={revealed}
        caFile={caFile}
        onDone={() => {
          setRevealed(null);
          router.refresh();
        }}
      />
    );
  return (
    <ClientForm
      className="card flex flex-wrap items-end gap-3 p-5"
      onSubmit={() =>
        call(
          { teamId, environment, name, idempotencyKey: key, recent: readRecent(environment) },
          (data) => {
            rememberRecent(environment, data.clientId);
            setRevealed(data);
            setName("");
            setKey(newKey());
            router.refresh();
          },
        )
      }
    >
      <NameInput
        label={`New ${label} credential`}
        name="name"
        placeholder="e.g. billing-service"
        value={name}
        onChange={setName}
      />
      <button type="submit" className="btn-primary" disabled={pending}>
        {pending ? "Creating…" : "Create credential"}
      </button>
      {pending && waiting && (
        <p className="w-full text-sm" role="status">
          {waiting}
        </p>
      )}
      <div className="w-full">
        <ErrorNote error={error} />
      </div>
    </ClientForm>
  );
}

export function CredentialRow({
  teamId,
  environment,
  clientId,
  name,
  createdBy,
  createdAt,
  caFile,
  keyPair,
}: {
  teamId: string;
  environment: Environment;
  clientId: string;
  name: string;
  createdBy: string;
  createdAt: string;
  caFile?: string | undefined;
  /** Set for a key-pair credential: replaced, never rotated (ADR 0800). */
  keyPair?: KeyPairRowInfo | undefined;
}) {
  const router = useRouter();
  const rotate = useAction(rotateCredentialAction);
  const revoke = useAction(revokeCredentialAction);
  const [revealed, setRevealed] = useState<Revealed | null>(null);
  const [replacing, setReplacing] = useState(false);
  const hydrated = useHydrated();
  const ref = { teamId, environment, clientId };
  return (
    <li className="px-5 py-4" data-testid="credential-row" data-client-id={clientId}>
      <div className="flex flex-wrap items-center gap-4">
        <div className="min-w-0 flex-1">
          <div className="font-medium">{name}</div>
          <div className="mt-0.5 flex flex-wrap gap-x-4 text-xs text-slate-500">
            <span className="font-mono">{clientId}</span>
            <span>
              created by {createdBy} ·{" "}
              {new Date(createdAt).toLocaleString("en-GB", { timeZone: "UTC" })} UTC
            </span>
            {keyPair && <KeyPairFacts keyPair={keyPair} />}
          </div>
        </div>
        <div className="flex flex-wrap justify-end gap-2">
          {keyPair ? (
            keyPair.lifetimeDays !== undefined && (
              <button
                type="button"
                className="btn-secondary"
                disabled={!hydrated}
                onClick={() => setReplacing(true)}
              >
                Replace…
              </button>
            )
          ) : (
            <ConfirmButton
              label="Rotate"
              confirmLabel="Rotate secret"
              question="The old secret stops working; the new one within 30 s."
              pending={rotate.pending}
              onConfirm={() => rotate.call(ref, setRevealed)}
            />
          )}
          <ConfirmButton
            danger
            label="Revoke"
            confirmLabel="Revoke"
            question="Delete it for good?"
            pending={revoke.pending}
            onConfirm={() =>
              revoke.call(ref, () => {
                rememberRecent(environment, clientId);
                router.refresh();
              })
            }
          />
        </div>
      </div>
      <ErrorNote error={rotate.error ?? revoke.error} />
      {replacing && keyPair?.lifetimeDays !== undefined && (
        <div className="mt-4">
          <CreateKeyPair
            teamId={teamId}
            environment={environment}
            label=""
            lifetimeDays={keyPair.lifetimeDays}
            replaces={{ clientId, name }}
            onClose={() => setReplacing(false)}
          />
        </div>
      )}
      {revealed && (
        <div className="mt-4">
          <SecretReveal credential={revealed} caFile={caFile} onDone={() => setRevealed(null)} />
        </div>
      )}
    </li>
  );
}

export interface KeyPairRowInfo {
  alg?: string | undefined;
  expiresAt?: string | undefined;
  /** The name of the credential that replaces this one, if it is on the page. */
  replacedBy?: string | undefined;
  /** Days a replacement lasts; set where the team may replace (not on admin pages). */
  lifetimeDays?: number | undefined;
}

/** Kind, algorithm and expiry of a key pair, and whether a replacement is waiting. */
function KeyPairFacts({ keyPair }: { keyPair: KeyPairRowInfo }) {
  const expires = keyPair.expiresAt ? Date.parse(keyPair.expiresAt) : undefined;
  const days = expires === undefined ? undefined : Math.ceil((expires - Date.now()) / 86_400_000);
  return (
    <>
      <span data-testid="key-expiry">
        key pair ({keyPair.alg ?? "RS256"}) ·{" "}
        {expires === undefined
          ? "never expires"
          : days !== undefined && days <= 0
            ? "expired"
            : `expires ${new Date(expires).toLocaleDateString("en-GB", { timeZone: "UTC", dateStyle: "medium" })} (in ${days} days)`}
      </span>
      {keyPair.replacedBy && (
        <span className="text-amber-700" data-testid="replaced-by">
          replaced by “{keyPair.replacedBy}”: both work until you revoke this one
        </span>
      )}
    </>
  );
}
