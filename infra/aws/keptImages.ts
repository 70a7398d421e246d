/** Which sandbox images the ECR lifecycle keeps whatever their age (infra/aws/registry.ts). */
import path from "node:path";
import { readPromotionLog } from "../../scripts/promote/promote";

/** How many promoted images the lifecycle keeps whatever their age (rollback targets). */
export const KEPT_PROMOTIONS = 40;

/**
 * The sandbox image tags the lifecycle keeps whatever their age: the one sandbox runs now and
 * those of the newest KEPT_PROMOTIONS promotion records (what production runs, and what a
 * rollback with `promote -- prepare --digest` may name).
 */
export function keptImageTags(currentTag: string, repoRoot: string): string[] {
  const promotions = readPromotionLog(path.join(repoRoot, "docs", "promotions.jsonl"));
  const promoted = promotions.slice(-KEPT_PROMOTIONS).map((r) => r.imageTag);
  return [...new Set([currentTag, ...promoted])];
}
