/**
 * Credit notes in the billing table, beside their invoices.
 *
 * | item                   | pk                           | sk            |
 * | credit note            | CREDITNOTES#{invoiceNumber}  | {number}      |  the note as JSON in `creditNote`; customerId;
 * |                        |                              |               |  `delivery` (JSON) and its `revision` once delivery began
 * | number -> invoice      | CREDITNOTE#{number}          | CREDITNOTE    |  invoiceNumber
 * | number sequence        | SEQUENCE#{prefix}-CN#{year}  | SEQUENCE      |  `last` number allocated (the invoices' layout)
 *
 * Issuing is one TransactWriteItems: advance the sequence from the value read, store the invoice
 * after the credit (only if its revision is the one read: the invoice and its credit notes are
 * what the decision was taken on), store the credit note and claim its number. All or nothing,
 * so a crash leaves no gap and no credit note without its effect on the invoice; a cancelled
 * transaction is decided again on what is stored now, so two credits cannot both take what is
 * left. A credit note settled to the customer's balance records its movement and the balance
 * in the same transaction (customer-balance-store.ts movementWrites), and so does its
 * credit_note.issued fact in the outbound outbox (outbound-outbox.ts). Credits of one invoice in this process are issued one at a time (they would only
 * cancel each other); other processes race and the conditions sort them out.
 *
 * The delivery (its PDF, its email) is stored beside the note, which itself never changes: each
 * delivery step puts the item again, conditioned on the `revision` it read, as invoices are
 * updated, so two senders cannot both claim the email. While the delivery is underway the item
 * is in the `open-deliveries` index (partition `CREDIT_NOTE`, sorted by when its current step
 * began), so the invoice run's sweep finds a note whose render request or claim was lost.
 */
import {
  GetCommand,
  paginateQuery,
  paginateScan,
  PutCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { pendingDelivery, type CreditNoteDelivery, type DeliveredCreditNote } from '#domain/credit-notes/delivery.ts';
import { deliveryUnderway, lastDeliveryStep } from '#domain/delivery/document-delivery.ts';
import type { CreditNote } from '#domain/credit-notes/types.ts';
import { CreditNoteNotFoundError } from '#domain/errors.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import type {
  CreditDecision,
  CreditNoteDeliveries,
  CreditNotePages,
  CreditNoteStore,
  IssuedCreditNote,
  StuckCreditNoteDeliveries,
} from '#ports/credit-note-store.ts';
import { cancellationReasons, ConcurrentChangeError, isConditionFailed } from '../errors.ts';
import { movementWrites } from './customer-balance-store.ts';
import { indexKeys, indexPage, LISTINGS_INDEX } from './index-page.ts';
import { outboxPuts } from './outbound-outbox.ts';
import { advanceSequence, OPEN_DELIVERIES_INDEX, readRevision, revisedInvoice, sequenceKey } from './invoice-repository.ts';
import { sleep } from './retry-delay.ts';

export const NOTES_PREFIX = 'CREDITNOTES#';
const CREDIT_NOTE_LISTING = 'CREDIT_NOTES';

/** The credit note's entry in the `listings` index (infra/resources.ts): by number. */
export function creditNoteListingKey(number: string): { listing: string; listingOrder: string } {
  return { listing: CREDIT_NOTE_LISTING, listingOrder: number };
}
const noteKey = (invoiceNumber: string, number: string) => ({ pk: `${NOTES_PREFIX}${invoiceNumber}`, sk: number });
const pointerKey = (number: string) => ({ pk: `CREDITNOTE#${number}`, sk: 'CREDITNOTE' });
/** Credit notes' partition of the open-deliveries index (invoices' is OPEN). */
const OPEN_CREDIT_NOTE = 'CREDIT_NOTE';

/** The index attributes of a delivery underway (none once it is sent, failed or bounced). */
function openDeliveryOf(number: string, delivery: CreditNoteDelivery): { openDelivery: string; deliveryStep: string } | undefined {
  return deliveryUnderway(delivery)
    ? { openDelivery: OPEN_CREDIT_NOTE, deliveryStep: `${lastDeliveryStep(delivery)}#${number}` }
    : undefined;
}

export interface DynamoDbCreditNoteStoreOptions {
  /** Attempts at issuing under contention before giving up. */
  readonly maxAttempts?: number;
}

export class DynamoDbCreditNoteStore implements CreditNoteStore, CreditNoteDeliveries, StuckCreditNoteDeliveries, CreditNotePages {
  private readonly maxAttempts: number;
  /** Per invoice number: the issue in progress in this process, which the next one waits for. */
  private readonly inProgress = new Map<string, Promise<unknown>>();

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    options: DynamoDbCreditNoteStoreOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 100;
  }

  issue(
    invoiceNumber: string,
    decide: (invoice: Invoice, creditNotes: readonly CreditNote[]) => CreditDecision,
  ): Promise<IssuedCreditNote> {
    const before = this.inProgress.get(invoiceNumber) ?? Promise.resolve();
    const issued = before.catch(() => undefined).then(() => this.issueNow(invoiceNumber, decide));
    const settled = issued.catch(() => undefined);
    this.inProgress.set(invoiceNumber, settled);
    void settled.then(() => {
      if (this.inProgress.get(invoiceNumber) === settled) this.inProgress.delete(invoiceNumber);
    });
    return issued;
  }

  private async issueNow(invoiceNumber: string, decide: Parameters<CreditNoteStore['issue']>[1]): Promise<IssuedCreditNote> {
    for (let attempt = 0; attempt < this.maxAttempts; attempt += 1) {
      const { invoice: current, revision } = await readRevision(this.client, this.tableName, invoiceNumber);
      const decision = decide(current, await this.listForInvoice(invoiceNumber));
      const { series, year } = decision.sequence;
      const { Item: sequence } = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: sequenceKey(series, year), ConsistentRead: true }),
      );
      const last = sequence === undefined ? 0 : Number(sequence.last);
      const creditNote = decision.numbered(last + 1);
      const invoice = decision.invoiceAfter(creditNote);
      const movement = decision.balanceMovement?.(creditNote);
      try {
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              { Update: advanceSequence(this.tableName, series, year, last, 1) },
              {
                Put: { TableName: this.tableName, ...revisedInvoice(invoice, revision) },
              },
              {
                Put: {
                  TableName: this.tableName,
                  Item: {
                    ...noteKey(invoiceNumber, creditNote.number),
                    customerId: creditNote.customerId,
                    creditNote: JSON.stringify(creditNote),
                    // Pending from now, wall-clock (the note's date may be an --as-of in the past): a render
                    // request lost after this write is found by the sweep once the claim timeout has passed.
                    ...openDeliveryOf(creditNote.number, pendingDelivery(new Date().toISOString())),
                    ...creditNoteListingKey(creditNote.number),
                  },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Put: {
                  TableName: this.tableName,
                  Item: { ...pointerKey(creditNote.number), invoiceNumber },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              ...movementWrites(this.tableName, movement === undefined ? [] : [movement]),
              ...outboxPuts(this.tableName, decision.pendingFacts?.(creditNote, invoice) ?? []),
            ],
          }),
        );
        return { creditNote, invoice };
      } catch (error) {
        if (cancellationReasons(error) === undefined) throw error;
        // The sequence moved (a credit of another invoice) or the invoice changed (another
        // credit, a payment): decide again on what is stored now, after a jittered pause.
        await sleep(Math.random() * Math.min(1_000, 10 * 2 ** Math.min(attempt, 7)));
      }
    }
    throw new ConcurrentChangeError(`invoice ${invoiceNumber} kept changing while issuing a credit note for it (contention)`);
  }

  async findByNumber(number: string): Promise<CreditNote | undefined> {
    const item = await this.findItem(number);
    return item === undefined ? undefined : storedCreditNote(item);
  }

  async findDelivered(number: string): Promise<DeliveredCreditNote | undefined> {
    const item = await this.findItem(number);
    return item === undefined ? undefined : storedDelivery(item);
  }

  async updateDelivery(
    number: string,
    change: (current: DeliveredCreditNote) => CreditNoteDelivery | undefined,
  ): Promise<{ delivered: DeliveredCreditNote; changed: boolean }> {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const item = await this.findItem(number);
      if (item === undefined) throw new CreditNoteNotFoundError(`no credit note ${number}: see billflow credit-notes list`);
      const current = storedDelivery(item);
      const next = change(current);
      if (next === undefined) return { delivered: current, changed: false };
      const revision = item.revision === undefined ? 0 : Number(item.revision);
      const { openDelivery: _open, deliveryStep: _step, ...rest } = item;
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...rest, ...openDeliveryOf(number, next), delivery: JSON.stringify(next), revision: revision + 1 },
            ConditionExpression: revision === 0 ? 'attribute_not_exists(revision)' : 'revision = :revision',
            ...(revision === 0 ? {} : { ExpressionAttributeValues: { ':revision': revision } }),
          }),
        );
        return { delivered: { creditNote: current.creditNote, delivery: next }, changed: true };
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
        // Another delivery step changed it: read again and re-decide.
      }
    }
    throw new ConcurrentChangeError(`credit note ${number} kept changing while updating its delivery`);
  }

  async creditNotesPage(query: {
    limit: number;
    after?: string;
    customerId?: string;
    invoiceNumber?: string;
  }): Promise<{ creditNotes: CreditNote[]; more: boolean }> {
    const { customerId, after, limit } = query;
    if (query.invoiceNumber !== undefined) {
      // One invoice's credit notes: its own partition, a handful at most.
      const rest = (await this.listForInvoice(query.invoiceNumber)).filter(
        (note) => (customerId === undefined || note.customerId === customerId) && (after === undefined || note.number > after),
      );
      return { creditNotes: rest.slice(0, limit), more: rest.length > limit };
    }
    const { items, more } = await indexPage(
      this.client,
      this.tableName,
      { ...LISTINGS_INDEX, partition: CREDIT_NOTE_LISTING, limit, ...(after === undefined ? {} : { after }) },
      customerId === undefined ? undefined : (item) => item.customerId === customerId,
    );
    return { creditNotes: items.map(storedCreditNote), more };
  }

  async listStuckDeliveries(before: string): Promise<string[]> {
    const keys = await indexKeys(this.client, this.tableName, OPEN_DELIVERIES_INDEX, 'openDelivery = :open AND deliveryStep < :before', {
      ':open': OPEN_CREDIT_NOTE,
      ':before': before,
    });
    // A credit note's sort key is its number.
    return keys.map((key) => key.sk);
  }

  /** The credit note's item, through its number's pointer. */
  private async findItem(number: string): Promise<Record<string, unknown> | undefined> {
    const { Item: pointer } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: pointerKey(number), ConsistentRead: true }),
    );
    if (pointer === undefined) return undefined;
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: noteKey(String(pointer.invoiceNumber), number), ConsistentRead: true }),
    );
    return Item;
  }

  async listForInvoice(invoiceNumber: string): Promise<CreditNote[]> {
    const notes: CreditNote[] = [];
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `${NOTES_PREFIX}${invoiceNumber}` },
        // The decision is taken on this set: it must include the note issued a moment ago.
        ConsistentRead: true,
      },
    );
    for await (const page of pages) for (const item of page.Items ?? []) notes.push(storedCreditNote(item));
    return notes.sort(byNumber);
  }

  async list(filter: { customerId?: string; invoiceNumber?: string } = {}): Promise<CreditNote[]> {
    const notes =
      filter.invoiceNumber !== undefined ? await this.listForInvoice(filter.invoiceNumber) : await this.scanAll(filter.customerId);
    return notes.filter((note) => filter.customerId === undefined || note.customerId === filter.customerId).sort(byNumber);
  }

  /** Across invoices: a scan, filtered; an operator's query, not a hot path. */
  private async scanAll(customerId: string | undefined): Promise<CreditNote[]> {
    const notes: CreditNote[] = [];
    const pages = paginateScan(
      { client: this.client },
      {
        TableName: this.tableName,
        FilterExpression: customerId === undefined ? 'begins_with(pk, :p)' : 'begins_with(pk, :p) AND customerId = :c',
        ExpressionAttributeValues: customerId === undefined ? { ':p': NOTES_PREFIX } : { ':p': NOTES_PREFIX, ':c': customerId },
      },
    );
    for await (const page of pages) for (const item of page.Items ?? []) notes.push(storedCreditNote(item));
    return notes;
  }
}

function storedCreditNote(item: Record<string, unknown>): CreditNote {
  return JSON.parse(String(item.creditNote)) as CreditNote;
}

function storedDelivery(item: Record<string, unknown>): DeliveredCreditNote {
  const creditNote = storedCreditNote(item);
  // Written as JSON by updateDelivery; absent until the first delivery step.
  const delivery =
    typeof item.delivery === 'string'
      ? (JSON.parse(item.delivery) as CreditNoteDelivery)
      : pendingDelivery(`${creditNote.issueDate}T00:00:00.000Z`);
  return { creditNote, delivery };
}

/** Numbers of one prefix and year sort by their zero-padded position; years and prefixes as text. */
function byNumber(a: CreditNote, b: CreditNote): number {
  return a.number.localeCompare(b.number);
}
