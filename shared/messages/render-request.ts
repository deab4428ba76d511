/**
 * The invoice-documents queue: a finalized invoice (or, with `document: credit_note`, an issued
 * credit note: `billflow invoices credit`) to render and store, sent by
 * close-billing-period, the invoice run's delivery sweep and `billflow invoices redeliver`,
 * read by render-invoice.
 */
import { invoiceNumberSchema, type InvoiceNumberMessage } from './invoice-number.ts';
import { queueMessage } from './queue-message.ts';

export const renderRequestMessage = queueMessage<InvoiceNumberMessage>('render request', invoiceNumberSchema);
