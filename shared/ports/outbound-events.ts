/**
 * Where billflow's business facts go (issue 19): the stack's EventBridge bus in AWS, the
 * webhook-deliveries queue locally. `publish` returns once every fact is accepted, or throws:
 * a stage publishes as part of its idempotent step, so a throw retries the step, and the retry
 * publishes the same ids again (facts.ts keys), never a different fact.
 */
import type { OutboundFact } from '#domain/outbound/catalogue.ts';

export interface OutboundEvents {
  publish(facts: readonly OutboundFact[]): Promise<void>;
}

/** For steps run where no subscriber can be reached (unit tests of other behaviour). */
export const noOutboundEvents: OutboundEvents = { publish: async () => undefined };
