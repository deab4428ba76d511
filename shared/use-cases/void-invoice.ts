/**
 * Voids a finalized invoice: it keeps its number and records why; the voiding is counted.
 * A metric that cannot be published does not undo the void: it is reported to the caller.
 * invoice.voided is recorded in the outbound outbox with the void (one write), then published:
 * if publishing fails it is reported too, and the hourly sweep publishes it (same id), so the
 * fact is not lost although running void again is refused.
 */
import type { Invoice } from '#domain/invoice/invoice.ts';
import { voidFinalized } from '#domain/invoice/lifecycle.ts';
import type { BusinessMetrics } from '#ports/business-metrics.ts';
import type { IssuedInvoices } from '#ports/invoice-repository.ts';
import type { OutboundEvents } from '#ports/outbound-events.ts';
import { invoiceVoided } from '#domain/outbound/facts.ts';
import { publishRecorded } from './publish-recorded.ts';

export async function voidInvoice(
  number: string,
  reason: string,
  deps: { invoices: Pick<IssuedInvoices, 'update'>; metrics: BusinessMetrics; now: () => number; outbound: OutboundEvents },
): Promise<{ invoice: Invoice; metricError?: string; outboundError?: string }> {
  const at = new Date(deps.now()).toISOString();
  // Through update(), so a delivery step recording an email at the same moment is not lost;
  // decided again on the stored invoice if it changed meanwhile.
  const facts = (voided: Invoice) => [invoiceVoided(voided)];
  const { invoice } = await deps.invoices.update(number, (current) => voidFinalized(current, reason, at), facts);
  const outboundError = await publishRecorded(deps.outbound, facts(invoice));
  const reported = outboundError === undefined ? {} : { outboundError };
  try {
    await deps.metrics.count('InvoicesVoided', 1, { currency: invoice.currency });
    return { invoice, ...reported };
  } catch (error) {
    return { invoice, metricError: (error as Error).message, ...reported };
  }
}
