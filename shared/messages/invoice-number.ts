/** The body of the delivery queues: the number of the finalized invoice the step is for. */
import { z } from 'zod';

export interface InvoiceNumberMessage {
  readonly number: string;
}

export const invoiceNumberSchema = z.object({ number: z.string().min(1) });
