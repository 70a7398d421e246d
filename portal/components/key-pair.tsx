"use client";
/**
 * Key-pair credentials in the browser (ADR 0800): make the key pair here (or paste a public
 * key), send only the public key, offer the private key once as a download, show the Node snippet,
 * and "try this credential" by signing an assertion with the key file the user picks.
 */
import { useRouter } from "next/navigation";
import { useState } from "react";
import { createKeyPairCredentialAction, tryKeyPairCredentialAction } from "@/app/actions";
import { keyPairSnippet, privateKeyFileName } from "@/lib/snippets/key-pair-token";
import { generateKeyPairPems, type KeyAlg, signClientAssertion } from "./key-pair-crypto";
import { readRecent, rememberRecent } from "./recent";
import {
  ClientForm,
  CodeBlock,
  ErrorNote,
  Field,
  KeyCardHeading,
  NameInput,
  TokenView,
} from "./ui";
import { type ActionData, useAction } from "./use-action";

type Environment = "production" | "sandbox";
type Issued = ActionData<typeof createKeyPairCredentialAction>;

const newKey = () => crypto.randomUUID().replaceAll("-", "");
const utcDate = (iso: string) =>
  new Date(iso).toLocaleDateString("en-GB", { timeZone: "UTC", dateStyle: "medium" });

export function CreateKeyPair({
  teamId,
  environment,
  label,
  lifetimeDays,
  replaces,
  onClose,
}: {
  teamId: string;
  environment: Environment;
  label: string;
  lifetimeDays: number;
  /** "Replace…": the credential the new key pair replaces (both work until it is revoked). */
  replaces?: { clientId: string; name: string } | undefined;
  onClose?: () => void;
}) {
  const router = useRouter();
  const { pending, error, call, setError } = useAction(createKeyPairCredentialAction);
  const [name, setName] = useState(replaces ? `${replaces.name} (new)`.slice(0, 60) : "");
  const [alg, setAlg] = useState<KeyAlg>("RS256");
  const [mode, setMode] = useState<"generate" | "paste">("generate");
  const [pasted, setPasted] = useState("");
  const [key, setKey] = useState(newKey);
  // Kept with the idempotency key, so that a retried submit sends the same public key.
  const [generated, setGenerated] = useState<{
    alg: KeyAlg;
    publicKeyPem: string;
    privateKeyPem: string;
  } | null>(null);
  const [working, setWorking] = useState(false);
  const [issued, setIssued] = useState<{ credential: Issued; privateKeyPem?: string } | null>(null);

  if (issued)
    return (
      <KeyPairReveal
        credential={issued.credential}
        privateKeyPem={issued.privateKeyPem}
        onDone={() => {
          setIssued(null);
          onClose?.();
          router.refresh();
        }}
      />
    );

  const submit = async () => {
    setWorking(true);
    try {
      let pair = generated && generated.alg === alg ? generated : null;
      if (mode === "generate" && !pair) {
        pair = { alg, ...(await generateKeyPairPems(alg)) };
        setGenerated(pair);
      }
      const publicKeyPem = mode === "generate" ? (pair?.publicKeyPem ?? "") : pasted;
      call(
        {
          teamId,
          environment,
          name,
          idempotencyKey: key,
          publicKeyPem,
          alg,
          ...(replaces ? { replaces: replaces.clientId } : {}),
          recent: readRecent(environment),
        },
        (data) => {
          rememberRecent(environment, data.clientId);
          setIssued({
            credential: data,
            ...(mode === "generate" && pair ? { privateKeyPem: pair.privateKeyPem } : {}),
          });
          setGenerated(null);
          setPasted("");
          setName("");
          setKey(newKey());
          router.refresh();
        },
      );
    } catch {
      setError({
        code: "browser",
        message: "This browser could not make an RSA key pair (WebCrypto).",
        requestId: "-",
      });
    } finally {
      setWorking(false);
    }
  };

  return (
    <ClientForm
      className="card flex flex-col gap-3 p-5"
      data-testid={replaces ? "replace-key-pair-form" : "create-key-pair-form"}
      onSubmit={() => void submit()}
    >
      <KeyCardHeading
        tone="indigo"
        title={
          replaces ? `Replace "${replaces.name}" with a new key pair` : `New ${label} key pair`
        }
      >
        {replaces
          ? "Both credentials work side by side until you revoke the old one: switch your services to the new key, then revoke."
          : "No secret exists anywhere: your browser makes the key pair, the portal and Auth0 get only the public key."}{" "}
        The key expires after {lifetimeDays} days; replace it before then.
      </KeyCardHeading>
      <div className="flex flex-wrap items-end gap-3">
        <NameInput
          label="Credential name"
          name="keyPairName"
          placeholder="e.g. billing-service"
          value={name}
          onChange={setName}
        />
        <label>
          <span className="mb-1 block text-sm font-medium">Algorithm</span>
          <select
            className="input"
            name="alg"
            value={alg}
            onChange={(e) => setAlg(e.target.value as KeyAlg)}
          >
            <option value="RS256">RS256 (RSA 2048)</option>
            <option value="PS256">PS256 (RSA-PSS 2048)</option>
          </select>
        </label>
      </div>
      <fieldset className="flex flex-wrap gap-4 text-sm">
        <label className="inline-flex items-center gap-2">
          <input
            type="radio"
            name="keySource"
            checked={mode === "generate"}
            onChange={() => setMode("generate")}
          />
          Make the key pair in this browser
        </label>
        <label className="inline-flex items-center gap-2">
          <input
            type="radio"
            name="keySource"
            checked={mode === "paste"}
            onChange={() => setMode("paste")}
          />
          I have a key: paste its public key
        </label>
      </fieldset>
      {mode === "paste" && (
        <label>
          <span className="mb-1 block text-sm font-medium">
            Public key (PEM, -----BEGIN PUBLIC KEY-----)
          </span>
          <textarea
            className="input h-32 w-full font-mono text-xs"
            name="publicKeyPem"
            value={pasted}
            onChange={(e) => setPasted(e.target.value)}
            placeholder={"openssl rsa -in key.pem -pubout\n-----BEGIN PUBLIC KEY-----\n…"}
            required
          />
        </label>
      )}
      <div className="flex gap-2">
        <button type="submit" className="btn-primary" disabled={pending || working}>
          {working
            ? "Making the key…"
            : pending
              ? "Creating…"
              : replaces
                ? "Create replacement"
                : "Create key pair"}
        </button>
        {onClose && (
          <button type="button" className="btn-secondary" onClick={onClose}>
            Cancel
          </button>
        )}
      </div>
      <ErrorNote error={error} />
    </ClientForm>
  );
}

export function KeyPairReveal({
  credential,
  privateKeyPem,
  onDone,
}: {
  credential: Issued;
  privateKeyPem?: string | undefined;
  onDone: () => void;
}) {
  const [key, setKey] = useState<string | null>(privateKeyPem ?? null);
  const [confirmLeave, setConfirmLeave] = useState(false);
  const fileName = privateKeyFileName(credential.name);
  const alg = credential.keyAlg ?? "RS256";
  const snippet = keyPairSnippet({
    clientId: credential.clientId,
    tokenUrl: credential.tokenUrl,
    assertionAudience: credential.assertionAudience,
    audience: credential.audiences[0] ?? "",
    alg,
    keyFile: fileName,
  });
  const download = () => {
    if (!key) return;
    // A Blob URL, clicked once and revoked: the key goes from this page's memory to the file.
    const url = URL.createObjectURL(new Blob([key], { type: "application/x-pem-file" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = fileName;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    setKey(null);
  };
  return (
    <div className="card min-w-0 border-amber-300 bg-amber-50/40 p-5" data-testid="key-pair-reveal">
      <div className="mb-4">
        <KeyCardHeading
          tone="amber"
          title={privateKeyPem ? "Download the private key now" : "Key pair registered"}
        >
          {privateKeyPem
            ? "It was made in this browser and exists nowhere else: download it once and keep it in your secret store. If you lose it, replace the credential."
            : "Auth0 holds your public key; sign assertions with your private key."}
        </KeyCardHeading>
      </div>
      {privateKeyPem && (
        <div className="mb-3">
          {key ? (
            <button
              type="button"
              className="btn-primary"
              onClick={download}
              data-testid="download-private-key"
            >
              Download {fileName}
            </button>
          ) : (
            <p className="text-sm text-emerald-700" data-testid="private-key-downloaded">
              Downloaded as <code>{fileName}</code>. This page no longer holds it, and the portal
              never did.
            </p>
          )}
        </div>
      )}
      <div className="grid min-w-0 grid-cols-1 gap-3">
        <Field label="Client ID" value={credential.clientId} testId="reveal-client-id" />
        <Field label="Token URL" value={credential.tokenUrl} />
        <Field label="Assertion audience (aud)" value={credential.assertionAudience} />
        <Field
          label="Key expires"
          value={`${credential.keyExpiresAt ? utcDate(credential.keyExpiresAt) : "never"} (${alg})`}
          testId="reveal-key-expiry"
        />
        <CodeBlock
          title="Get a token (Node, jose)"
          value={snippet}
          copyLabel="Copy snippet"
          testId="reveal-snippet"
        />
      </div>
      {credential.environment === "sandbox" && <TryKeyPair credential={credential} alg={alg} />}
      <div className="mt-4 flex items-center justify-end gap-2">
        {confirmLeave && key && (
          <span className="text-sm text-red-700">
            The private key is not downloaded: without it this credential cannot be used.
          </span>
        )}
        <button
          type="button"
          className="btn-primary"
          onClick={() => (key && !confirmLeave ? setConfirmLeave(true) : onDone())}
        >
          {key && confirmLeave ? "Close anyway" : "Done"}
        </button>
      </div>
    </div>
  );
}

function TryKeyPair({ credential, alg }: { credential: Issued; alg: KeyAlg }) {
  const { pending, error, call, setError } = useAction(tryKeyPairCredentialAction);
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<{
    claims: Record<string, unknown>;
    header: Record<string, unknown>;
  } | null>(null);
  const tryIt = async () => {
    if (!file) return;
    let clientAssertion: string;
    try {
      clientAssertion = await signClientAssertion(
        await file.text(),
        alg,
        credential.clientId,
        credential.assertionAudience,
      );
    } catch (e) {
      setError({ code: "invalid_input", message: (e as Error).message, requestId: "-" });
      return;
    }
    call(
      {
        teamId: credential.teamId,
        clientId: credential.clientId,
        clientAssertion,
        audience: credential.audiences[0] ?? "",
      },
      (data) => setResult({ claims: data.claims, header: data.header }),
    );
  };
  return (
    <div className="mt-4 rounded-lg border border-sky-200 bg-sky-50/60 p-4">
      <h4 className="text-sm font-semibold">Try this credential</h4>
      <p className="text-xs text-slate-600">
        Pick the private key file: this browser signs a one-time assertion with it (the key is not
        sent anywhere) and the portal exchanges that for a Sandbox token.
      </p>
      <div className="mt-2 flex flex-wrap items-center gap-3">
        <input
          type="file"
          accept=".pem,application/x-pem-file,text/plain"
          data-testid="try-key-file"
          onChange={(e) => setFile(e.target.files?.[0] ?? null)}
        />
        <button
          type="button"
          className="btn-secondary"
          disabled={pending || !file}
          onClick={() => void tryIt()}
        >
          {pending ? "Requesting…" : "Sign and get a token"}
        </button>
      </div>
      <ErrorNote error={error} />
      {result && <TokenView result={result} />}
    </div>
  );
}
