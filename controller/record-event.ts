/**
 * Records an Event without making its failure the caller's: an Event tells people what happened, it is not part
 * of the action (client-go's recorder drops what it cannot write, after logging it), so a launch is not undone
 * because its `Launched` Event could not be written.
 */
import type { Cluster, EventRecord } from "../api/index.ts";
import type { Logger } from "../runtime/index.ts";

export async function recordEvent(
  cluster: Pick<Cluster, "recordEvent">,
  record: EventRecord,
  logger: Logger | undefined,
): Promise<void> {
  try {
    await cluster.recordEvent(record);
  } catch (error) {
    logger?.warn({ error: String(error), reason: record.reason }, "recording an event failed");
  }
}
