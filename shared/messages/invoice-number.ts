/**
 * The body of the delivery queues: the number of the document the step is for, and which kind
 * of document it is. `document` is absent on invoice messages (as before credit notes existed),
 * so messages already in flight still parse and mean what they meant.
 */
import { z } from 'zod';

/** What a delivery step renders or emails: a finalized invoice (the default) or a credit note. */
export type DeliveredDocument = 'invoice' | 'credit_note';

export interface InvoiceNumberMessage {
  readonly number: string;
  readonly document?: DeliveredDocument;
}

export const invoiceNumberSchema = z.object({ number: z.string().min(1), document: z.enum(['invoice', 'credit_note']).optional() });

/** The kind of document a message is for: invoice unless it says otherwise. */
export function deliveredDocument(message: InvoiceNumberMessage): DeliveredDocument {
  return message.document ?? 'invoice';
}
