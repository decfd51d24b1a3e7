// The policy engine's public surface.
export * from "./schedule-text/index.ts";
export { preExistingWarning, ratchet } from "./ratchet.ts";
