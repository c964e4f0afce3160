/**
 * "Did you mean …?" for a mistyped check ID, module, component or flag: the closest
 * candidates by Levenshtein distance (the `leven` package), as commander does for flags
 * and git for subcommands. A candidate counts when at most a third of the typed word
 * (at least one character) must change, or when it starts with what was typed (scored
 * between one and two edits); only the closest ones are offered.
 */
import leven from 'leven';

export function closest(typed: string, candidates: Iterable<string>, max = 3): string[] {
  const word = typed.toLowerCase();
  const limit = Math.max(1, Math.floor(word.length / 3));
  const scored: Array<{ c: string; d: number }> = [];
  for (const c of new Set(candidates)) {
    const lower = c.toLowerCase();
    const d = Math.min(leven(word, lower), lower.startsWith(word) && word.length >= 3 ? 1.5 : Infinity);
    if (d <= limit && lower !== word) scored.push({ c, d });
  }
  const best = Math.min(...scored.map((s) => s.d));
  return scored
    .filter((s) => s.d === best)
    .sort((a, b) => a.c.localeCompare(b.c))
    .slice(0, max)
    .map((s) => s.c);
}

/** ` (did you mean "trust-sub"?)`, or '' when nothing is close. */
export function didYouMean(typed: string, candidates: Iterable<string>): string {
  const near = closest(typed, candidates);
  if (near.length === 0) return '';
  return ` (did you mean ${near.map((c) => `"${c}"`).join(' or ')}?)`;
}
