/**
 * Mutations must come from the portal's own pages: the browser's Origin header must equal the
 * origin of APP_BASE_URL. A missing Origin is refused (every browser sends it on POST).
 */
export function isSameOrigin(origin: string | null, baseUrl: string | undefined): boolean {
  if (!baseUrl) return false;
  if (!origin) return false;
  try {
    return new URL(baseUrl).origin === new URL(origin).origin;
  } catch {
    return false;
  }
}
