// AL2's `/etc/eks/bootstrap.sh` line, as Karpenter writes it into a shell part of the user data (aws
// pkg/providers/amifamily/bootstrap/eksbootstrap.go): `/etc/eks/bootstrap.sh 'CLUSTER' --apiserver-endpoint '…'
// --b64-cluster-ca '…' \ --use-max-pods false \ --kubelet-extra-args '--node-labels=… --register-with-taints=…
// --max-pods=N'`. The cluster is the first argument; bootstrap.sh takes its options as separate words (no `=`).
import { applyKubeletFlags, emptySettings, type NodeBootstrap, UserDataError } from "./kubelet-settings.ts";
import { shellWords } from "./shell-words.ts";

const BOOTSTRAP = "/etc/eks/bootstrap.sh";

/** The bootstrap.sh call in one of the shell scripts, or undefined when none calls it. */
export function readBootstrapScript(scripts: readonly string[]): NodeBootstrap | undefined {
  for (const script of scripts) {
    // The call may continue over lines with a trailing backslash.
    const joined = script.replace(/\\\r?\n/g, " ");
    const line = joined.split(/\r?\n/).find((l) => l.trimStart().startsWith(BOOTSTRAP));
    if (line === undefined) continue;
    const words = shellWords(line.trim()).slice(1);
    const options = new Map<string, string>();
    const positional: string[] = [];
    for (let i = 0; i < words.length; i++) {
      const word = words[i] ?? "";
      if (word.startsWith("--")) {
        const value = words[i + 1];
        if (value === undefined) throw new UserDataError(`${BOOTSTRAP}: option ${word} has no value`);
        options.set(word, value);
        i += 1;
      } else positional.push(word);
    }
    const settings = emptySettings();
    const extra = options.get("--kubelet-extra-args");
    if (extra !== undefined) applyKubeletFlags(settings, shellWords(extra), `${BOOTSTRAP} --kubelet-extra-args`);
    return {
      format: "bootstrap.sh",
      clusterName: positional[0],
      apiServerEndpoint: options.get("--apiserver-endpoint"),
      certificateAuthority: options.get("--b64-cluster-ca"),
      ...settings,
    };
  }
  return undefined;
}
