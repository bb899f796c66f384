/** The checkout's root folder. */
export const ROOT: string;
/** True when `root`/dist/cli.js exists and no source under `root`/src is newer than it. */
export function buildIsFresh(root?: string): boolean;
/** True when `root`/dist/web/index.html exists and no file under `root`/web is newer than it. */
export function webIsFresh(root?: string): boolean;
