// Which policies judge a commit. A change cannot approve itself: a commit is judged with the PoolPolicy files and
// the preset of the last accepted commit, so one change cannot loosen policies/ (or the preset) and add what they
// forbid at once; its own policies judge the commits after it, once it is accepted. PoolPolicy files kept outside
// the repository (`sync --policy`) judge every commit instead of the repository's. With neither (a first sync, or
// the oldest commit a restore re-judges) the commit's own policies judge it: nothing else is there to trust.
import type { CommitFiles, DesiredState, GatePolicy } from "./gate.ts";
import type { SourceFile } from "./source.ts";

/** The policies for `commit`; undefined when its own judge it. */
export function gatePolicy(
  commit: CommitFiles,
  lastGood: DesiredState | undefined,
  outside: readonly SourceFile[] | undefined,
): GatePolicy | undefined {
  const preset = lastGood?.config.preset ?? commit.config?.preset;
  if (outside && preset) return { origin: "the --policy files", files: outside, preset };
  if (!lastGood) return undefined;
  return {
    origin: `the policies of ${lastGood.sha.slice(0, 7)}, the last accepted commit`,
    files: lastGood.policies,
    preset: lastGood.config.preset,
  };
}
