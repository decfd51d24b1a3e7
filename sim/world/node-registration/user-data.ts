// An instance's user data, read as the image's boot agent would: EC2 keeps it base64-encoded; AL2023's nodeadm
// reads the `application/node.eks.aws` parts of a MIME archive (or a bare NodeConfig), AL2's cloud-init runs the
// shell parts (where bootstrap.sh is called), Bottlerocket reads TOML settings. What the world can tell from it:
// the cluster it names and the kubelet's settings.
import { parse } from "yaml";
import { readBottlerocketSettings } from "./bottlerocket.ts";
import { readBootstrapScript } from "./eks-bootstrap.ts";
import { type NodeBootstrap, UserDataError } from "./kubelet-settings.ts";
import { isMime, MimeError, parseMimeArchive } from "./mime-parts.ts";
import { readNodeConfigs } from "./nodeadm.ts";
import { ShellWordsError } from "./shell-words.ts";

/** User data larger than EC2's limit (16 KiB before encoding) cannot have been launched. */
const MAX_USER_DATA_BYTES = 16 * 1024;

export function decodeUserData(base64: string): string {
  const compact = base64.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) {
    throw new UserDataError("the user data is not base64 (EC2 keeps it encoded)");
  }
  const bytes = Buffer.from(compact, "base64");
  if (bytes.length > MAX_USER_DATA_BYTES) {
    throw new UserDataError(`the user data is ${bytes.length} bytes, over EC2's ${MAX_USER_DATA_BYTES}`);
  }
  return bytes.toString("utf8");
}

/** A bare NodeConfig (nodeadm reads one outside MIME too): YAML whose kind is NodeConfig. */
function isNodeConfig(text: string): boolean {
  try {
    const doc: unknown = parse(text);
    return typeof doc === "object" && doc !== null && (doc as { kind?: unknown }).kind === "NodeConfig";
  } catch {
    return false;
  }
}

function read(text: string): NodeBootstrap {
  if (isMime(text)) {
    const parts = parseMimeArchive(text);
    const configs = parts.filter((p) => p.contentType.toLowerCase().startsWith("application/node.eks.aws"));
    if (configs.length > 0) return readNodeConfigs(configs.map((p) => p.content));
    const scripts = parts.filter((p) => p.contentType.toLowerCase().startsWith("text/x-shellscript"));
    const bootstrap = readBootstrapScript(scripts.map((p) => p.content));
    if (bootstrap) return bootstrap;
    throw new UserDataError(
      "the MIME user data has no NodeConfig part and no shell part calling /etc/eks/bootstrap.sh",
    );
  }
  if (/^\s*\[settings/m.test(text)) return readBottlerocketSettings(text);
  if (text.startsWith("#!")) {
    const bootstrap = readBootstrapScript([text]);
    if (bootstrap) return bootstrap;
    throw new UserDataError("the user data script does not call /etc/eks/bootstrap.sh");
  }
  if (isNodeConfig(text)) return readNodeConfigs([text]);
  throw new UserDataError(
    "the user data is neither a MIME archive, a shell script, a NodeConfig nor Bottlerocket TOML",
  );
}

/** Reads base64 user data; throws UserDataError with what the node would have failed on. */
export function readUserData(base64: string): NodeBootstrap {
  const text = decodeUserData(base64);
  try {
    return read(text);
  } catch (error) {
    if (error instanceof MimeError || error instanceof ShellWordsError) throw new UserDataError(error.message);
    throw error;
  }
}
