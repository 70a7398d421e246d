/** Tag keys the program sets and the policies read (no provider import: policies load this). */

/** Every Astral AWS resource carries its stack role under this key. */
export const ROLE_TAG = "astral:role";
/** Marks a deliberate plain-HTTP listener (a preview without a domain). */
export const PLAIN_HTTP_TAG = "astral:plain-http";
