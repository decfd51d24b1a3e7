// Bottlerocket's TOML settings, as Karpenter writes them (aws pkg/providers/amifamily/bootstrap/bottlerocket.go
// and bottlerocketsettings.go): `[settings.kubernetes]` with `cluster-name`, `api-server`, `cluster-certificate`,
// `max-pods`, and the tables `node-labels`, `node-taints` (`key = ['value:Effect']`), `kube-reserved`,
// `system-reserved`, `eviction-hard`. Bottlerocket's early boot refuses settings without the cluster's name, API
// server or certificate, so the node never joins.
import { emptySettings, type NodeBootstrap, parseTaint, UserDataError } from "./kubelet-settings.ts";
import { parseToml, TomlError, type TomlTable, type TomlValue } from "./toml.ts";

const isTable = (value: TomlValue | undefined): value is TomlTable =>
  typeof value === "object" && !Array.isArray(value);

function stringMap(value: TomlValue | undefined, where: string): Record<string, string> {
  if (value === undefined) return {};
  if (!isTable(value)) throw new UserDataError(`${where}: must be a table`);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

export function readBottlerocketSettings(text: string): NodeBootstrap {
  let doc: TomlTable;
  try {
    doc = parseToml(text);
  } catch (error) {
    if (error instanceof TomlError) throw new UserDataError(`Bottlerocket settings (TOML): ${error.message}`);
    throw error;
  }
  const settingsTable = doc.settings;
  const kubernetes = isTable(settingsTable) ? settingsTable.kubernetes : undefined;
  if (!isTable(kubernetes)) throw new UserDataError("Bottlerocket settings: no [settings.kubernetes] table");
  const where = "Bottlerocket settings.kubernetes";
  const settings = emptySettings();
  const maxPods = kubernetes["max-pods"];
  if (maxPods !== undefined) {
    if (typeof maxPods !== "number" || !Number.isInteger(maxPods) || maxPods < 0) {
      throw new UserDataError(`${where}.max-pods: must be a non-negative integer`);
    }
    settings.maxPods = maxPods;
  }
  settings.labels = stringMap(kubernetes["node-labels"], `${where}.node-labels`);
  const taints = kubernetes["node-taints"];
  if (taints !== undefined) {
    if (!isTable(taints)) throw new UserDataError(`${where}.node-taints: must be a table`);
    settings.taints = Object.entries(taints).flatMap(([key, specs]) =>
      (Array.isArray(specs) ? specs : [specs]).map((spec) =>
        parseTaint(`${key}${String(spec).startsWith(":") ? "" : "="}${String(spec)}`, `${where}.node-taints`),
      ),
    );
  }
  settings.kubeReserved = stringMap(kubernetes["kube-reserved"], `${where}.kube-reserved`);
  settings.systemReserved = stringMap(kubernetes["system-reserved"], `${where}.system-reserved`);
  settings.evictionHard = stringMap(kubernetes["eviction-hard"], `${where}.eviction-hard`);
  const text_ = (name: string) => {
    const value = kubernetes[name];
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  return {
    format: "bottlerocket",
    clusterName: text_("cluster-name"),
    apiServerEndpoint: text_("api-server"),
    certificateAuthority: text_("cluster-certificate"),
    ...settings,
  };
}
