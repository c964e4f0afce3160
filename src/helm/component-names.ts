/**
 * Component names checked before any cluster call: a name that no Camunda chart version
 * knows (a typo) cannot become valid once the chart version is known, so it is rejected
 * at once. Names valid only for other chart versions are left to the plan module, which
 * names the valid ones for the detected chart.
 */
import { didYouMean } from '../core/suggest.js';
import { UsageError } from '../core/errors.js';
import { parseChartVersion, profileFor, resolveComponent, type ChartProfile } from './chart.js';

/** One profile per chart major irsa-check has a table for (8 … 15). */
function allProfiles(): ChartProfile[] {
  const profiles: ChartProfile[] = [];
  for (let major = 8; major <= 15; major++) profiles.push(profileFor(parseChartVersion(`${major}.0.0`)!));
  return profiles;
}

export function checkComponentNamesEarly(lists: Array<[flag: string, names: string[] | undefined]>): void {
  const profiles = allProfiles();
  for (const [flag, names] of lists) {
    for (const name of names ?? []) {
      if (profiles.some((p) => resolveComponent(p, name) !== undefined)) continue;
      const known = [...new Set(profiles.flatMap((p) => p.components.map((c) => c.key)))].sort();
      throw new UsageError(
        `unknown component "${name}" in ${flag}: no Camunda chart version has it${didYouMean(name, known)}`,
        1,
        `Use one of: ${known.join(', ')} (which ones apply depends on the chart version).`,
      );
    }
  }
}
