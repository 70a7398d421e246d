/**
 * go-auth0's recorded answers of a real Auth0 tenant (go-vcr cassettes, vendored unmodified in
 * `emulator/recordings/go-auth0/`, origin and licence in its NOTICE.md), read for the replay.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { REPO_ROOT } from "../../src/paths";

export const RECORDINGS_DIR = path.join(REPO_ROOT, "emulator/recordings/go-auth0");
/** The recorded tenant's host; go-auth0's recorder wrote every URL with it. */
export const RECORDED_HOST = "go-auth0-dev.eu.auth0.com";
export const RECORDED_TENANT = "go-auth0-dev";

export interface Interaction {
  index: number;
  method: string;
  /** Path and query, without the recorded host. */
  url: string;
  requestBody: string;
  requestContentType: string;
  status: number;
  responseBody: string;
}

export interface Cassette {
  /** Path below the recordings folder, e.g. `TestClient_Create.yaml`. */
  name: string;
  interactions: Interaction[];
}

interface RawInteraction {
  id: number;
  request: { body: string; url: string; method: string; headers?: Record<string, string[]> };
  response: { body: string; code: number };
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) return yamlFiles(full);
      return entry.endsWith(".yaml") ? [full] : [];
    });
}

export function loadCassettes(dir = RECORDINGS_DIR): Cassette[] {
  return yamlFiles(dir).map((file) => {
    const doc = parse(readFileSync(file, "utf8")) as { interactions: RawInteraction[] };
    return {
      name: path.relative(dir, file),
      interactions: doc.interactions.map((raw, index) => {
        const url = new URL(raw.request.url);
        if (url.host !== RECORDED_HOST) throw new Error(`${file}: unexpected host ${url.host}`);
        return {
          index,
          method: raw.request.method,
          url: `${url.pathname}${url.search}`,
          requestBody: (raw.request.body ?? "").trim(),
          requestContentType: raw.request.headers?.["Content-Type"]?.[0] ?? "",
          status: raw.response.code,
          responseBody: (raw.response.body ?? "").trim(),
        };
      }),
    };
  });
}
