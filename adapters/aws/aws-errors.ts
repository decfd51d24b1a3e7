/**
 * SDK errors as the port's typed errors (api/ports/ec2-errors.ts `portErrorOf`, by the service's error code) — the
 * SDK names a modelled or unmodelled service error after its code. Errors that are not a service's answer (a timeout, a
 * refused connection) pass through unchanged.
 */
import { type OfferingRef, portErrorOf } from "../../api/index.ts";

/** The service's error code of an SDK error, or undefined for an error no service answered with. */
export function awsErrorCode(error: unknown): string | undefined {
  if (!(error instanceof Error) || !("$metadata" in error)) return undefined;
  const code = (error as { Code?: unknown }).Code;
  return typeof code === "string" && code !== "" ? code : error.name;
}

/** The typed error for `error`; `offering` names the offering a capacity error is about, when known. */
export function toPortError(error: unknown, offering?: OfferingRef): unknown {
  const code = awsErrorCode(error);
  if (code === undefined) return error;
  return portErrorOf(code, error instanceof Error ? error.message : String(error), offering, error);
}

/** Runs an SDK call and rethrows its failure as the port's typed error. */
export async function mapped<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toPortError(error);
  }
}
