/** Where a check is documented: its anchor in irsa-check's README (shipped in the package). */
export function docLink(anchor: string): string {
  return `README.md#${anchor}`;
}
