// The policy engine's public surface.
export * from "./schedule-text/index.ts";
export { preExistingWarning, ratchet, ratchetBundle } from "./ratchet.ts";
