/**
 * The local certificate authority. Generated once into a git-ignored folder; its certificate is
 * what Node processes trust through `NODE_EXTRA_CA_CERTS`. The CA's private key never leaves
 * that folder. The tenants' server certificate (SANs `localhost`, `127.0.0.1`, `*.tenants.test`)
 * is issued by it and renewed when it nears expiry or lacks one of those names.
 *
 * Keys come from Node's crypto (fast, native); node-forge only assembles and signs the X.509
 * certificates, which Node's crypto cannot do.
 */
import { generateKeyPairSync, X509Certificate } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import forge from "node-forge";
import { DEFAULT_CA_DIR } from "./paths";

export interface LocalCa {
  /** PEM certificate of the CA: point `NODE_EXTRA_CA_CERTS` here. */
  caCertPath: string;
  /** PEM key and certificate the tenants serve HTTPS with. */
  serverKeyPath: string;
  serverCertPath: string;
}

const CA_NAME = "Astral Local Development CA";
/**
 * Names the tenants' certificate covers. `*.tenants.test` (a reserved TLD, RFC 6761) is for
 * clients that refuse `localhost` and IP addresses as an Auth0 domain (`@auth0/nextjs-auth0` in
 * production mode): the image test maps e.g. `production.tenants.test` to 127.0.0.1.
 */
const SERVER_DNS_NAMES = ["localhost", "*.tenants.test"];
const SERVER_IPS = ["127.0.0.1"];
const DAY_MS = 24 * 60 * 60 * 1000;

export function ensureLocalCa(dir: string = DEFAULT_CA_DIR): LocalCa {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Several processes may start at once (test workers): one makes the files, the others wait.
  return withLock(path.join(dir, ".lock"), () => ensureFiles(dir));
}

function ensureFiles(dir: string): LocalCa {
  const files = {
    caKey: path.join(dir, "ca.key.pem"),
    caCert: path.join(dir, "ca.cert.pem"),
    serverKey: path.join(dir, "server.key.pem"),
    serverCert: path.join(dir, "server.cert.pem"),
  };
  if (!existsSync(files.caKey) || !existsSync(files.caCert) || expiresWithin(files.caCert, 30)) {
    const { keyPem, certPem } = issue({ commonName: CA_NAME, years: 10, isCa: true });
    writeSecret(files.caKey, keyPem);
    writePublic(files.caCert, certPem);
    // A new CA invalidates the old server certificate.
    writeServer(files);
  } else if (
    !existsSync(files.serverKey) ||
    !existsSync(files.serverCert) ||
    expiresWithin(files.serverCert, 7) ||
    !issuedBy(files.serverCert, files.caCert) ||
    !coversServerNames(files.serverCert)
  ) {
    writeServer(files);
  }
  return {
    caCertPath: files.caCert,
    serverKeyPath: files.serverKey,
    serverCertPath: files.serverCert,
  };
}

/** A cross-process lock: a directory that exists while someone holds it (stale after 30 s). */
function withLock<T>(lockDir: string, fn: () => T): T {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      // Gone meanwhile (age from 0): just try again.
      const age = Date.now() - (statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? 0);
      if (age > 30_000 || Date.now() > deadline) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function writeServer(files: {
  caKey: string;
  caCert: string;
  serverKey: string;
  serverCert: string;
}) {
  const { keyPem, certPem } = issue({
    commonName: "localhost",
    years: 1,
    isCa: false,
    issuer: {
      keyPem: readFileSync(files.caKey, "utf8"),
      certPem: readFileSync(files.caCert, "utf8"),
    },
  });
  writeSecret(files.serverKey, keyPem);
  writePublic(files.serverCert, certPem);
}

function issue(opts: {
  commonName: string;
  years: number;
  isCa: boolean;
  issuer?: { keyPem: string; certPem: string };
}): { keyPem: string; certPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(
    publicKey.export({ type: "spki", format: "pem" }).toString(),
  );
  // Positive, random serial (leading byte < 0x80 keeps it positive in DER).
  cert.serialNumber = `01${forge.util.bytesToHex(forge.random.getBytesSync(15))}`;
  const now = Date.now();
  cert.validity.notBefore = new Date(now - DAY_MS);
  cert.validity.notAfter = new Date(now + opts.years * 365 * DAY_MS);
  const subject = [{ name: "commonName", value: opts.commonName }];
  cert.setSubject(subject);
  if (opts.isCa) {
    cert.setIssuer(subject);
    cert.setExtensions([
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
      { name: "subjectKeyIdentifier" },
    ]);
    cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  } else {
    const issuer = opts.issuer;
    if (!issuer) throw new Error("a server certificate needs an issuer");
    const caCert = forge.pki.certificateFromPem(issuer.certPem);
    cert.setIssuer(caCert.subject.attributes);
    cert.setExtensions([
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          ...SERVER_DNS_NAMES.map((value) => ({ type: 2, value })),
          ...SERVER_IPS.map((ip) => ({ type: 7, ip })),
        ],
      },
      { name: "subjectKeyIdentifier" },
    ]);
    cert.sign(forge.pki.privateKeyFromPem(issuer.keyPem), forge.md.sha256.create());
  }
  return { keyPem, certPem: forge.pki.certificateToPem(cert) };
}

function expiresWithin(certPath: string, days: number): boolean {
  try {
    const cert = new X509Certificate(readFileSync(certPath));
    return new Date(cert.validTo).getTime() - Date.now() < days * DAY_MS;
  } catch {
    return true;
  }
}

/** A certificate made before a name was added to the list is issued again. */
function coversServerNames(certPath: string): boolean {
  try {
    const cert = new X509Certificate(readFileSync(certPath));
    return (
      SERVER_DNS_NAMES.every((name) => cert.checkHost(name.replace("*", "x")) !== undefined) &&
      SERVER_IPS.every((ip) => cert.checkIP(ip) !== undefined)
    );
  } catch {
    return false;
  }
}

function issuedBy(certPath: string, caPath: string): boolean {
  try {
    const cert = new X509Certificate(readFileSync(certPath));
    const ca = new X509Certificate(readFileSync(caPath));
    return cert.checkIssued(ca) && cert.verify(ca.publicKey);
  } catch {
    return false;
  }
}

/** Atomic write (temp file + rename) so a crash never leaves half a key. */
function writeAtomic(file: string, content: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}
const writeSecret = (file: string, content: string) => writeAtomic(file, content, 0o600);
const writePublic = (file: string, content: string) => writeAtomic(file, content, 0o644);
