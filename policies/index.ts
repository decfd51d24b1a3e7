// The policy engine's public surface.
export * from "./schedule-text/index.ts";
