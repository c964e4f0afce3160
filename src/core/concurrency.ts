/** Bounded concurrency, for fan-outs that must not trip API throttling. */

/** How many requests one fan-out (e.g. GetOpenIDConnectProvider per provider) keeps in flight. */
export const FAN_OUT = 8;

/**
 * Runs `work` over `items` with at most `limit` promises pending; results keep
 * the items' order. The first rejection rejects the whole call (like Promise.all).
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}
