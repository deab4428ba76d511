/**
 * Voids a finalized invoice: it keeps its number and records why; the voiding is counted.
 * A metric that cannot be published does not undo the void: it is reported to the caller.
 */
import type { Invoice } from '../domain/invoice/invoice.ts';
import type { BusinessMetrics } from '../ports/business-metrics.ts';
import type { InvoiceRepository } from '../ports/invoice-repository.ts';

export async function voidInvoice(
  number: string,
  reason: string,
  deps: { invoices: InvoiceRepository; metrics: BusinessMetrics; now: () => number },
): Promise<{ invoice: Invoice; metricError?: string }> {
  const invoice = await deps.invoices.void(number, reason, new Date(deps.now()).toISOString());
  try {
    await deps.metrics.count('InvoicesVoided', 1, { currency: invoice.currency });
    return { invoice };
  } catch (error) {
    return { invoice, metricError: (error as Error).message };
  }
}
