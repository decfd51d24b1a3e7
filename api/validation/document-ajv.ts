// The ajv that validates poolkeeper's own documents (PoolPolicy, PoolPolicyTest), loaded on first use: a `check`
// without a policy file never reads one, and loading ajv's sixty modules was a twentieth of its start-up (the CRDs'
// validators are generated code that needs none of them). ajv is CommonJS, so a synchronous require() loads it.
import type * as AjvModule from "ajv";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
let ajv: AjvModule.Ajv | undefined;

/** One shared instance; `verbose`, since describeAjvError names the closest field from the parent schema. */
export function documentAjv(): AjvModule.Ajv {
  ajv ??= new (require("ajv") as typeof AjvModule).Ajv({ allErrors: true, strict: false, verbose: true });
  return ajv;
}
