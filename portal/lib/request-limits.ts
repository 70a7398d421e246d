/**
 * Limits on what a mutation's body may be, checked in proxy.ts before Next parses it (issue 15):
 * a 2 MB body or a 5000-deep JSON reached Next's server-action decoder, and `next dev` answered
 * 500 with the error's text. Here they get 413 and 400 with a fixed message and no internals.
 *
 * - Size: MAX_BODY_BYTES, Next's own default for server actions (`serverActions.bodySizeLimit`,
 *   1 MB); the portal's largest input is a 4096-bit public key (~800 characters). The body is
 *   read at most that far (a chunked body without Content-Length too), then the read stops.
 * - Depth: MAX_NESTING brackets (`[`/`{` outside strings); the portal's inputs nest 3 deep.
 */
export const MAX_BODY_BYTES = 1024 * 1024;
export const MAX_NESTING = 32;

/** How deep `[`/`{` nest in a JSON-like text, ignoring brackets inside strings. */
export function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "[" || c === "{") deepest = Math.max(deepest, ++depth);
    else if (c === "]" || c === "}") depth = Math.max(0, depth - 1);
  }
  return deepest;
}

/** Reads a body up to `max` bytes; undefined when it is longer (the read stops there). */
async function readAtMost(body: ReadableStream<Uint8Array>, max: number) {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      // Not awaited: a clone's branch reports its cancel only once the other branch (the body
      // Next would read) is cancelled too.
      reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/** A refusal (status, code, message) for a body over the limits, or undefined. */
export async function bodyProblem(
  request: Request,
): Promise<{ status: 413 | 400; code: string; message: string } | undefined> {
  const tooLarge = {
    status: 413 as const,
    code: "payload_too_large",
    message: `The request body is larger than ${MAX_BODY_BYTES / 1024 / 1024} MB.`,
  };
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) return tooLarge;
  if (!request.body) return undefined;
  const text = await readAtMost(request.clone().body as ReadableStream<Uint8Array>, MAX_BODY_BYTES);
  if (text === undefined) return tooLarge;
  if (nestingDepth(text) > MAX_NESTING)
    return {
      status: 400,
      code: "invalid_input",
      message: `The request body nests deeper than ${MAX_NESTING} levels.`,
    };
  return undefined;
}
