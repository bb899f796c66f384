/** The storefront's (or the console's) first-load scripts and their gzipped sizes in bytes, from dist/web. */
export function firstLoadJavaScript(app?: 'storefront' | 'console'): { page: string; files: Array<{ script: string; bytes: number }>; bytes: number };
