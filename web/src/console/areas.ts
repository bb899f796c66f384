// The console is a set of areas (orders, catalog, accounts, …), one folder each under console/:
// <area>/area.tsx exports `area` (its navigation link and routes) and <area>/i18n/<lang>.json holds
// its words as the i18n namespace named after the folder. main.tsx finds them all by glob, so an
// area is added without touching any other file.
import type { ReactNode } from 'react';

export interface ConsoleArea {
  /** Position in the navigation, lowest first; also the order the routes are declared in. */
  order: number;
  /** The navigation link: a path under /admin and its label key in the area's namespace; absent for areas without a link. */
  nav?: { to: string; label: string };
  /** The area's <Route> elements, paths relative to /admin. */
  routes: ReactNode;
}

/** The areas found by main.tsx, sorted by order, with their namespace (the folder name). */
export function sortAreas(modules: Record<string, ConsoleArea>): Array<ConsoleArea & { namespace: string }> {
  return Object.entries(modules)
    .map(([file, area]) => ({ ...area, namespace: file.split('/').at(-2)! }))
    .sort((a, b) => a.order - b.order);
}
