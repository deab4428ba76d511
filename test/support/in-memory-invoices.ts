/**
 * In-memory stand-ins for the issued invoices (the parts of the invoice repository that
 * delivery, payments and dunning use), the document store and the mailer, for
 * use-case tests that are about decisions, not DynamoDB. `update` keeps the DynamoDB adapter's
 * contract: optimistic (read, decide, write only if nobody wrote meanwhile, else decide again)
 * and "change returns undefined" leaves the invoice as it is. Every call yields to the event
 * loop between its read and its write, so runs started together really interleave.
 */
import type { Invoice } from '#domain/invoice/invoice.ts';
import type { DocumentStore } from '#ports/document-store.ts';
import { InvoiceNotFoundError } from '#domain/errors.ts';
import type {
  InvoiceEmailLinks,
  InvoiceListing,
  IssuedInvoices,
  OpenDrafts,
  OpenReceivables,
  StuckDeliveries,
} from '#ports/invoice-repository.ts';
import type { Mailer, OutgoingEmail } from '#ports/mailer.ts';

const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

export class InMemoryInvoices implements IssuedInvoices, InvoiceEmailLinks, OpenReceivables, OpenDrafts, StuckDeliveries, InvoiceListing {
  private readonly stored = new Map<string, { invoice: Invoice; revision: number }>();
  private readonly emailLinks = new Map<string, string>();
  /** dueBefore of every listOpenReceivables call, to check how the run asks. */
  readonly receivableQueries: string[] = [];

  constructor(invoices: readonly Invoice[] = []) {
    for (const invoice of invoices) this.put(invoice);
  }

  /** Stores an invoice as is, as if another part of billflow had written it. */
  put(invoice: Invoice): void {
    if (invoice.number === null) throw new Error('the in-memory invoices are kept by number');
    const revision = (this.stored.get(invoice.number)?.revision ?? 0) + 1;
    this.stored.set(invoice.number, { invoice: structuredClone(invoice), revision });
  }

  /** The stored invoice, synchronously, for assertions. */
  current(number: string): Invoice {
    const entry = this.stored.get(number);
    if (entry === undefined) throw new Error(`no invoice ${number}`);
    return structuredClone(entry.invoice);
  }

  async findByNumber(number: string): Promise<Invoice | undefined> {
    await yieldToOthers();
    const entry = this.stored.get(number);
    return entry && structuredClone(entry.invoice);
  }

  async list(filter: { customerId?: string; billingPeriod?: string } = {}): Promise<Invoice[]> {
    await yieldToOthers();
    return [...this.stored.values()]
      .map((entry) => structuredClone(entry.invoice))
      .filter(
        (invoice) =>
          (filter.customerId === undefined || invoice.customerId === filter.customerId) &&
          (filter.billingPeriod === undefined || invoice.billingPeriod === filter.billingPeriod),
      );
  }

  async listOpenReceivables(dueBefore: string): Promise<Invoice[]> {
    this.receivableQueries.push(dueBefore);
    return (await this.list()).filter(
      (invoice) => invoice.status === 'finalized' && invoice.amountDue > 0 && invoice.dueDate !== null && invoice.dueDate < dueBefore,
    );
  }

  async listOpenDrafts(throughPeriod: string): Promise<{ customerId: string; billingPeriod: string }[]> {
    return (await this.list())
      .filter((invoice) => invoice.status === 'draft' && invoice.billingPeriod <= throughPeriod)
      .map(({ customerId, billingPeriod }) => ({ customerId, billingPeriod }));
  }

  async listStuckDeliveries(before: string): Promise<string[]> {
    return (await this.list())
      .filter((invoice) => invoice.status === 'finalized' && ['pending', 'rendered', 'sending'].includes(invoice.deliveryStatus))
      .filter(
        (invoice) => (invoice.deliveryStatus === 'sending' ? (invoice.sendingSince ?? invoice.updatedAt) : invoice.updatedAt) < before,
      )
      .map((invoice) => invoice.number!);
  }

  async update(number: string, change: (invoice: Invoice) => Invoice | undefined): Promise<{ invoice: Invoice; changed: boolean }> {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      await yieldToOthers();
      const read = this.stored.get(number);
      if (read === undefined) throw new InvoiceNotFoundError(`no invoice ${number}`);
      const next = change(structuredClone(read.invoice));
      if (next === undefined) return { invoice: structuredClone(read.invoice), changed: false };
      await yieldToOthers();
      // The conditional write: lost if anyone wrote since the read, and then decided again.
      if (this.stored.get(number)?.revision !== read.revision) continue;
      this.stored.set(number, { invoice: structuredClone(next), revision: read.revision + 1 });
      return { invoice: structuredClone(next), changed: true };
    }
    throw new Error(`invoice ${number} kept changing while updating it`);
  }

  async linkEmail(messageId: string, number: string): Promise<void> {
    this.emailLinks.set(messageId, number);
  }

  async findNumberByEmail(messageId: string): Promise<string | undefined> {
    return this.emailLinks.get(messageId);
  }
}

export class InMemoryDocuments implements Pick<DocumentStore, 'bucket' | 'get'> {
  readonly bucket = 'invoices';
  private readonly bodies = new Map<string, Buffer>();

  constructor(documents: Readonly<Record<string, Buffer>> = {}) {
    for (const [key, body] of Object.entries(documents)) this.bodies.set(key, body);
  }

  async get(key: string): Promise<Buffer> {
    const body = this.bodies.get(key);
    if (body === undefined) throw new Error(`no document at ${key}`);
    return body;
  }
}

/** Keeps what it was asked to send; `failNext` makes the next sends throw the given errors. */
export class RecordingMailer implements Mailer {
  readonly sent: (OutgoingEmail & { readonly messageId: string })[] = [];
  private readonly failures: Error[] = [];

  failNext(...errors: Error[]): void {
    this.failures.push(...errors);
  }

  async send(email: OutgoingEmail): Promise<string> {
    await yieldToOthers();
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
    const messageId = `msg-${this.sent.length + 1}`;
    this.sent.push({ ...email, messageId });
    return messageId;
  }
}
