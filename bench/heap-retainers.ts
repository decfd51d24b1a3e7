// What holds a V8 heap snapshot's memory, for docs/performance.md (the demo's snapshots from demo-memory.ts):
//   node --max-old-space-size=4096 bench/heap-retainers.ts <file.heapsnapshot> [top]
// prints the constructors by retained size and the largest single retainers with a path that holds them. Retained
// sizes come from the dominator tree, as Chrome DevTools' Summary view computes them (HeapSnapshot.js
// `calculateDominatorsAndRetainedSizes`, weak edges ignored): here with Cooper, Harvey and Kennedy's iterative
// algorithm ("A Simple, Fast Dominance Algorithm"), which is short and fast enough for a few million nodes.
import { readFileSync } from "node:fs";

interface Snapshot {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: [string[], ...unknown[]];
      edge_fields: string[];
      edge_types: [string[], ...unknown[]];
    };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

const [file, topText = "25"] = process.argv.slice(2);
if (file === undefined) {
  console.error("usage: bench/heap-retainers.ts <file.heapsnapshot> [top]");
  process.exit(2);
}
const top = Number(topText);
const snap = JSON.parse(readFileSync(file, "utf8")) as Snapshot;
const { meta } = snap.snapshot;
const N = meta.node_fields.length;
const E = meta.edge_fields.length;
const nodeType = meta.node_fields.indexOf("type");
const nodeName = meta.node_fields.indexOf("name");
const nodeSize = meta.node_fields.indexOf("self_size");
const nodeEdgeCount = meta.node_fields.indexOf("edge_count");
const edgeType = meta.edge_fields.indexOf("type");
const edgeName = meta.edge_fields.indexOf("name_or_index");
const edgeTo = meta.edge_fields.indexOf("to_node");
const nodeTypes = meta.node_types[0];
const edgeTypes = meta.edge_types[0];
const WEAK = edgeTypes.indexOf("weak");
const SHORTCUT = edgeTypes.indexOf("shortcut");
const count = snap.nodes.length / N;

// Edges are stored per node in node order: the first edge of node i is the sum of the counts before it.
const firstEdge = new Uint32Array(count + 1);
for (let i = 0; i < count; i++) firstEdge[i + 1] = (firstEdge[i] ?? 0) + (snap.nodes[i * N + nodeEdgeCount] ?? 0);
const target = (edge: number) => (snap.edges[edge * E + edgeTo] ?? 0) / N;
const strong = (edge: number) => {
  const type = snap.edges[edge * E + edgeType];
  return type !== WEAK && type !== SHORTCUT;
};

// Depth-first from the root (node 0), iteratively: the postorder numbers the dominator algorithm walks.
const postorder = new Int32Array(count).fill(-1);
const order: number[] = [];
const visited = new Uint8Array(count);
const stack: number[] = [0];
const next = new Uint32Array(count);
visited[0] = 1;
next[0] = firstEdge[0] ?? 0;
while (stack.length > 0) {
  const node = stack[stack.length - 1] as number;
  const edge = next[node] ?? 0;
  if (edge < (firstEdge[node + 1] ?? 0)) {
    next[node] = edge + 1;
    const to = target(edge);
    if (strong(edge) && !visited[to]) {
      visited[to] = 1;
      next[to] = firstEdge[to] ?? 0;
      stack.push(to);
    }
    continue;
  }
  stack.pop();
  postorder[node] = order.length;
  order.push(node);
}

// Predecessors over strong edges, as compressed rows.
const predStart = new Uint32Array(count + 1);
for (let edge = 0; edge < snap.edges.length / E; edge++)
  if (strong(edge)) predStart[target(edge) + 1] = (predStart[target(edge) + 1] ?? 0) + 1;
for (let i = 0; i < count; i++) predStart[i + 1] = (predStart[i + 1] ?? 0) + (predStart[i] ?? 0);
const preds = new Uint32Array(predStart[count] ?? 0);
const predEdges = new Uint32Array(predStart[count] ?? 0);
const fill = predStart.slice(0, count);
for (let from = 0; from < count; from++)
  for (let edge = firstEdge[from] ?? 0; edge < (firstEdge[from + 1] ?? 0); edge++) {
    if (!strong(edge)) continue;
    const to = target(edge);
    const at = fill[to] ?? 0;
    preds[at] = from;
    predEdges[at] = edge;
    fill[to] = at + 1;
  }

const idom = new Int32Array(count).fill(-1);
idom[0] = 0;
const intersect = (a: number, b: number) => {
  while (a !== b) {
    while ((postorder[a] ?? 0) < (postorder[b] ?? 0)) a = idom[a] ?? 0;
    while ((postorder[b] ?? 0) < (postorder[a] ?? 0)) b = idom[b] ?? 0;
  }
  return a;
};
for (let changed = true; changed;) {
  changed = false;
  for (let i = order.length - 2; i >= 0; i--) {
    const node = order[i] as number;
    let dom = -1;
    for (let p = predStart[node] ?? 0; p < (predStart[node + 1] ?? 0); p++) {
      const pred = preds[p] as number;
      if (idom[pred] === -1) continue;
      dom = dom === -1 ? pred : intersect(pred, dom);
    }
    if (dom !== idom[node]) {
      idom[node] = dom;
      changed = true;
    }
  }
}

const retained = new Float64Array(count);
for (let i = 0; i < count; i++) retained[i] = snap.nodes[i * N + nodeSize] ?? 0;
for (const node of order)
  if (node !== 0) retained[idom[node] ?? 0] = (retained[idom[node] ?? 0] ?? 0) + (retained[node] ?? 0);

const className = (node: number) => {
  const type = nodeTypes[snap.nodes[node * N + nodeType] ?? 0] ?? "?";
  const name = snap.strings[snap.nodes[node * N + nodeName] ?? 0] ?? "";
  if (type === "object" || type === "native") return name;
  if (type === "closure") return `(closure) ${name}`;
  return `(${type})`;
};
const edgeLabel = (edge: number) => {
  const type = edgeTypes[snap.edges[edge * E + edgeType] ?? 0];
  const name = snap.edges[edge * E + edgeName] ?? 0;
  return type === "element" || type === "hidden" ? `[${name}]` : (snap.strings[name] ?? "?");
};

// By constructor: a node counts once, unless a dominator of the same constructor already counts it.
const byClass = new Map<string, { count: number; self: number; retained: number }>();
for (const node of order) {
  const name = className(node);
  const row = byClass.get(name) ?? { count: 0, self: 0, retained: 0 };
  row.count++;
  row.self += snap.nodes[node * N + nodeSize] ?? 0;
  let up = idom[node] ?? 0;
  while (up !== 0 && className(up) !== name) up = idom[up] ?? 0;
  if (up === 0) row.retained += retained[node] ?? 0;
  byClass.set(name, row);
}
const MiB = 1024 * 1024;
const mib = (bytes: number) => (bytes / MiB).toFixed(1).padStart(7);
console.log(`${file}: ${count} nodes, ${mib(retained[0] ?? 0)} MiB reachable\n`);
console.log("retained MiB   self MiB     count  constructor");
for (const [name, row] of [...byClass].sort((a, b) => b[1].retained - a[1].retained).slice(0, top))
  console.log(`${mib(row.retained)}    ${mib(row.self)}  ${String(row.count).padStart(8)}  ${name.slice(0, 100)}`);

// The largest retainers that are not the runtime's own roots, each with the path that first reaches it.
const path = (node: number) => {
  const parts: string[] = [];
  for (let at = node, depth = 0; at !== 0 && depth < 8; depth++) {
    const p = predStart[at] ?? 0;
    if (p === predStart[at + 1]) break;
    // The retainer nearest the root (smallest depth) by postorder is a good guess at the meaningful path.
    let best = p;
    for (let q = p; q < (predStart[at + 1] ?? 0); q++)
      if ((postorder[preds[q] ?? 0] ?? 0) > (postorder[preds[best] ?? 0] ?? 0)) best = q;
    parts.unshift(`${className(preds[best] ?? 0).slice(0, 40)}.${edgeLabel(predEdges[best] ?? 0)}`);
    at = preds[best] ?? 0;
  }
  return parts.join(" → ");
};
console.log("\nlargest single retainers (retained MiB, constructor, a path to it):");
const candidates = order
  .filter((node) => node !== 0 && !className(node).startsWith("(synthetic)") && (retained[node] ?? 0) > MiB)
  .sort((a, b) => (retained[b] ?? 0) - (retained[a] ?? 0));
let shown = 0;
for (const node of candidates) {
  // Skip a node whose dominator is already shown with nearly the same size: the same memory twice.
  const dom = idom[node] ?? 0;
  if (dom !== 0 && (retained[dom] ?? 0) < (retained[node] ?? 0) * 1.1 && candidates.includes(dom)) continue;
  console.log(`${mib(retained[node] ?? 0)}  ${className(node).slice(0, 60)}  ${path(node)}`);
  if (++shown >= top) break;
}
