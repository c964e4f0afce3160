export function distIsCurrent(root: string): boolean;
