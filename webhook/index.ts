// The admission webhook's public surface: the HTTPS server and what embedding code (the `serve` command, tests)
// needs around it. The pure decision core is webhook/admission/.
export { PolicyFileError } from "./policy-store.ts";
export { createWebhookServer, type WebhookServer } from "./server.ts";
