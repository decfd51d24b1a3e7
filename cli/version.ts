// The version reported in SARIF and `--version`, from package.json.
import pkg from "../package.json" with { type: "json" };

export const toolVersion: string = pkg.version;
