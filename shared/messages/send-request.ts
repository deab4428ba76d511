/** The invoice-emails queue: a rendered invoice or credit note to email, sent by render-invoice, read by send-invoice. */
import { invoiceNumberSchema, type InvoiceNumberMessage } from './invoice-number.ts';
import { queueMessage } from './queue-message.ts';

export const sendRequestMessage = queueMessage<InvoiceNumberMessage>('send request', invoiceNumberSchema);
