// Prints the paths of the kubectl and helm binaries used by the tests, downloading them on first use.
//   node scripts/tools.ts
// Also used by CI to warm the cache in node_modules/.cache/poolkeeper-tools/. See test/support/binaries.ts for the
// POOLKEEPER_KUBECTL / POOLKEEPER_HELM overrides on platforms other than linux/x64.
import { toolBinaries } from "../test/support/binaries.ts";

try {
  const { kubectl, helm } = await toolBinaries();
  console.log(`kubectl: ${kubectl}`);
  console.log(`helm: ${helm}`);
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
}
