/**
 * `fn` over `items`, at most `limit` at once, results in the items' order. For tests whose
 * independent cases mostly wait (on the local tenants, a search lag): side by side they take the
 * time of a few, yet a bounded number keeps them clear of the tenants' rate limits.
 */
export async function atMost<T, R>(
  limit: number,
  items: readonly T[],
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
