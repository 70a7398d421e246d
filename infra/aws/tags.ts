/** Tag keys the program sets and the policies read (no provider import: policies load this). */

/** Every Astral AWS resource carries its stack role under this key. */
export const ROLE_TAG = "astral:role";
/** Marks a deliberate plain-HTTP listener (a preview without a domain). */
export const PLAIN_HTTP_TAG = "astral:plain-http";

/**
 * The one mutable tag of the build cache repository: BuildKit's registry cache (as awsx's
 * `ecr.Image` uses it) overwrites it on every sandbox build. Everything else stays immutable.
 */
export const BUILD_CACHE_TAG = "buildcache";

/** The cache repository's tag mutability: immutable except the cache tag. */
export const CACHE_TAG_MUTABILITY = {
  imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
  imageTagMutabilityExclusionFilters: [{ filter: BUILD_CACHE_TAG, filterType: "WILDCARD" }],
} as const;
