/**
 * A credit note's delivery, kept beside the credit note (which never changes once issued): its
 * PDF at `credit-notes/{invoicePrefix}/{YYYY}/{number}.pdf` (CONTRACTS.md section 7) recorded
 * once with its SHA-256, then exactly one email to the customer, with the same states and rules
 * as an invoice's (delivery/document-delivery.ts). Every issued credit note is delivered: unlike
 * an invoice, it is never voided.
 */
import type { DocumentDelivery } from '../delivery/document-delivery.ts';
import type { EInvoiceStoredDocument } from '../invoice/invoice.ts';
import type { CreditNote } from './types.ts';

export interface CreditNoteDelivery extends DocumentDelivery {
  /** The XML stored beside the PDF, for customers with an XML e-invoice format billflow writes for credit notes (CII). */
  readonly einvoiceDocument?: EInvoiceStoredDocument;
}

/** A credit note with its delivery, as the delivery stages read and change it. */
export interface DeliveredCreditNote {
  readonly creditNote: CreditNote;
  readonly delivery: CreditNoteDelivery;
}

/** Where a credit note's delivery starts (also for notes stored before delivery existed). */
export function pendingDelivery(at: string): CreditNoteDelivery {
  return { deliveryStatus: 'pending', document: null, emails: [], deliveryProblem: null, updatedAt: at };
}

/** S3 key of a credit note's PDF; the prefix is its invoice's (the seller id), the year its own issue year. */
export function creditNoteDocumentKey(creditNote: Pick<CreditNote, 'seller' | 'number' | 'issueDate'>): string {
  return `credit-notes/${creditNote.seller.id}/${creditNote.issueDate.slice(0, 4)}/${creditNote.number}.pdf`;
}

/** S3 key of a credit note's e-invoice XML, beside its PDF. */
export function creditNoteXmlKey(creditNote: Pick<CreditNote, 'seller' | 'number' | 'issueDate'>): string {
  return creditNoteDocumentKey(creditNote).replace(/\.pdf$/, '.xml');
}
