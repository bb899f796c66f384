// Reading PostgreSQL's EXPLAIN (FORMAT JSON): for tests that check a query reads through the index it should.

/** A node of EXPLAIN (FORMAT JSON)'s plan, with the fields these tests read. */
export interface PlanNode {
  'Node Type'?: string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Filter?: string;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

/** Every node of the plan that scans `relation`, outermost first. */
export function scansOf(node: PlanNode, relation: string): PlanNode[] {
  const own = node['Relation Name'] === relation ? [node] : [];
  return [...own, ...(node.Plans ?? []).flatMap((child) => scansOf(child, relation))];
}
