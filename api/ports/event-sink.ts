// Writes what the EventCorrelator decided (client-go's recordToSink): a new Event is created, a repeat patches
// the one already written (strategic merge, as client-go's createPatch), and a patch of an Event that has gone
// (expired, deleted) creates it again.
import { isNotFound, type Cluster } from "./cluster.ts";
import type { EventCorrelator, EventInput } from "./event-correlator.ts";
import type { Event } from "./kube-objects.ts";

export async function writeEvent(
  cluster: Pick<Cluster, "create" | "patch">,
  correlator: EventCorrelator,
  input: EventInput,
): Promise<void> {
  const write = correlator.correlate(input);
  if (write.action === "drop") return;
  const { event } = write;
  let written: Event | undefined;
  if (write.action === "patch") {
    const key = { namespace: event.metadata.namespace as string, name: event.metadata.name as string };
    try {
      written = await cluster.patch("events", key, { type: "strategic", patch: write.patch });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  written ??= await cluster.create("events", event);
  correlator.observed(input, written);
}
