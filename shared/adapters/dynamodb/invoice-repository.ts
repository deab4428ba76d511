/**
 * Invoices in the billing table.
 *
 * | item              | pk                          | sk               |
 * | invoice           | INVOICE#{customerId}        | {YYYY-MM}        |  one per customer and period,
 * |                   |                             |                  |  gzip JSON in `invoiceGz` (gzip-json.ts: why)
 * | number -> invoice | NUMBER#{number}             | NUMBER           |
 * | number sequence   | SEQUENCE#{prefix}#{year}    | SEQUENCE         |  `last` number allocated
 *
 * Index `open-receivables` (sparse, keys only): invoices with an amount due carry `receivable` = OPEN and
 * `receivableDue` = `{dueDate}#{number}`; dunning queries it by due date instead of scanning.
 * Index `open-drafts` (sparse, keys only): drafts carry `openDraft` = OPEN and `draftPeriod` =
 * `{YYYY-MM}`; the hourly invoice run queries it for the drafts it still has to close.
 * Index `listings` (keys only): every invoice carries `listing` = INVOICES and `listingOrder` =
 * `{YYYY-MM}|{customerId}`; the HTTP API lists invoices across customers a page at a time with it.
 * Index `open-deliveries` (sparse, keys only): finalized invoices whose delivery is not done
 * (`pending`, `rendered`, `sending`) carry `openDelivery` = OPEN and `deliveryStep` =
 * `{time of the last delivery step}#{number}`; the invoice run queries it for the ones stuck
 * longer than the claim timeout (recover-deliveries.ts).
 *
 * Finalizing is one TransactWriteItems: advance the sequence from the value read, store the
 * numbered invoices (only if still drafts) and claim their numbers. All or nothing, so a crash
 * cannot leave a gap, and two finalizations cannot take the same number: the loser's
 * transaction is cancelled and it retries with the next numbers. The customer balance each
 * invoice uses is recorded in the same transaction (customer-balance-store.ts movementWrites),
 * so an invoice is never stored with a balance applied that the ledger does not show, nor the
 * other way round; a balance taken meanwhile by another writer cancels it, and it is decided
 * again on the ledger as it is then.
 */
import {
  GetCommand,
  paginateQuery,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type QueryCommandOutput,
  type ScanCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { InvoiceNotFoundError } from '#domain/errors.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import { lastDeliveryStep } from '#domain/delivery/document-delivery.ts';
import { awaitsDelivery, isOpenReceivable, STATUS_TRANSITIONS } from '#domain/invoice/lifecycle.ts';
import type { InvoiceSequence } from '#domain/invoice/numbering.ts';
import type { BalanceMovement } from '#domain/balance/ledger.ts';
import type { InvoicePages, InvoiceRepository, SaveDraftOutcome } from '#ports/invoice-repository.ts';
import type { PendingFacts } from '#ports/outbound-outbox.ts';
import { batchGetAll } from './batch-get.ts';
import { movementWrites, readLedger } from './customer-balance-store.ts';
import { cancellationReasons, ConcurrentChangeError, isConditionFailed, ItemVanishedError, NumberContentionError } from '../errors.ts';
import { gunzipJson, gzipJson } from './gzip-json.ts';
import { indexKeys, indexPage, LISTINGS_INDEX } from './index-page.ts';
import { outboxPuts } from './outbound-outbox.ts';
import { sleep } from './retry-delay.ts';

export const INVOICE_PREFIX = 'INVOICE#';
// sequenceKey, advanceSequence, readRevision and revisedInvoice are exported for the credit note store, which writes an invoice in its own transaction.
const invoiceKey = (customerId: string, billingPeriod: string) => ({ pk: `${INVOICE_PREFIX}${customerId}`, sk: billingPeriod });
const numberKey = (number: string) => ({ pk: `NUMBER#${number}`, sk: 'NUMBER' });
export const sequenceKey = (prefix: string, year: number) => ({ pk: `SEQUENCE#${prefix}#${year}`, sk: 'SEQUENCE' });

export interface DynamoDbInvoiceRepositoryOptions {
  /** Attempts at a number before giving up under contention. */
  readonly maxFinalizeAttempts?: number;
}

interface Finalization {
  /** The draft, as issued. */
  readonly invoice: Invoice;
  readonly finalized: (position: number) => Invoice;
  readonly applyBalance: Parameters<InvoiceRepository['finalize']>[3];
  resolve(outcome: { invoice: Invoice; numbered: boolean }): void;
  reject(error: unknown): void;
}

/**
 * 1 sequence update + 2 items per invoice + up to 2 for its balance (movement, balance item) must
 * stay within TransactWriteItems' 100 items and 4 MB.
 */
const MAX_PER_TRANSACTION = 24;
const MAX_TRANSACTION_BYTES = 3 * 1024 * 1024;

function takeBatch(queue: Finalization[]): Finalization[] {
  let bytes = 0;
  let count = 0;
  while (count < queue.length && count < MAX_PER_TRANSACTION) {
    const size = JSON.stringify(queue[count]!.invoice).length;
    if (count > 0 && bytes + size > MAX_TRANSACTION_BYTES) break;
    bytes += size;
    count += 1;
  }
  return queue.splice(0, count);
}

export class DynamoDbInvoiceRepository implements InvoiceRepository, InvoicePages {
  private readonly maxFinalizeAttempts: number;
  private readonly waiting = new Map<string, Finalization[]>();
  private readonly numbering = new Set<string>();

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    options: DynamoDbInvoiceRepositoryOptions = {},
  ) {
    this.maxFinalizeAttempts = options.maxFinalizeAttempts ?? 100;
  }

  async get(customerId: string, billingPeriod: string): Promise<Invoice | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: invoiceKey(customerId, billingPeriod), ConsistentRead: true }),
    );
    return Item === undefined ? undefined : storedInvoice(Item);
  }

  async findByNumber(number: string): Promise<Invoice | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: numberKey(number), ConsistentRead: true }));
    if (Item === undefined) return undefined;
    return this.get(String(Item.customerId), String(Item.billingPeriod));
  }

  async saveDraft(draft: Invoice): Promise<SaveDraftOutcome> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: this.item(draft),
          // Events only accumulate, so a draft built from fewer of them is an older view.
          ConditionExpression: `attribute_not_exists(pk) OR (${REVISABLE.expression} AND eventCount <= :eventCount)`,
          ExpressionAttributeNames: REVISABLE.names,
          ExpressionAttributeValues: { ...REVISABLE.values, ':eventCount': draft.eventCount },
        }),
      );
      return 'saved';
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      const current = await this.get(draft.customerId, draft.billingPeriod);
      return current !== undefined && REVISABLE.holds(current) ? 'unchanged' : 'closed';
    }
  }

  finalize(
    draft: Invoice,
    sequence: InvoiceSequence,
    finalized: (position: number) => Invoice,
    applyBalance?: Parameters<InvoiceRepository['finalize']>[3],
  ): Promise<{ invoice: Invoice; numbered: boolean }> {
    const key = `${sequence.prefix}#${sequence.year}`;
    return new Promise((resolve, reject) => {
      const queue = this.waiting.get(key) ?? [];
      queue.push({ invoice: draft, finalized, applyBalance, resolve, reject });
      this.waiting.set(key, queue);
      if (!this.numbering.has(key)) void this.numberWaiting(key, sequence);
    });
  }

  /**
   * Group commit: finalizations of one sequence waiting in this process are numbered together,
   * up to MAX_PER_TRANSACTION in one transaction, one transaction at a time. Concurrent jobs
   * then queue here instead of colliding on the sequence item; other processes still race,
   * and the sequence's condition sorts them out.
   */
  private async numberWaiting(key: string, numbering: InvoiceSequence): Promise<void> {
    this.numbering.add(key);
    try {
      for (;;) {
        const queue = this.waiting.get(key) ?? [];
        if (queue.length === 0) return;
        const batch = takeBatch(queue);
        await this.numberBatch(batch, numbering).catch((error: unknown) => {
          for (const member of batch) member.reject(error);
        });
      }
    } finally {
      this.numbering.delete(key);
    }
  }

  private async numberBatch(batch: Finalization[], numbering: InvoiceSequence): Promise<void> {
    let members = batch;
    for (let attempt = 0; attempt < this.maxFinalizeAttempts; attempt += 1) {
      if (members.length === 0) return;
      const { Item } = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: sequenceKey(numbering.prefix, numbering.year), ConsistentRead: true }),
      );
      const last = Item === undefined ? 0 : Number(Item.last);
      // The numbers the sequence item will say are taken once this transaction commits.
      const { finalized, movements } = await this.withBalances(
        members,
        members.map((member, index) => member.finalized(last + 1 + index)),
      );
      try {
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              { Update: advanceSequence(this.tableName, numbering.prefix, numbering.year, last, members.length) },
              ...finalized.flatMap((invoice) => [
                {
                  Put: {
                    TableName: this.tableName,
                    Item: this.item(invoice),
                    ConditionExpression: `attribute_not_exists(pk) OR ${FINALIZABLE.expression}`,
                    ExpressionAttributeNames: FINALIZABLE.names,
                    ExpressionAttributeValues: FINALIZABLE.values,
                  },
                },
                {
                  Put: {
                    TableName: this.tableName,
                    Item: { ...numberKey(invoice.number!), customerId: invoice.customerId, billingPeriod: invoice.billingPeriod },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                },
              ]),
              // After the invoices, so a reason's index still says which invoice was closed first.
              ...movementWrites(this.tableName, movements),
            ],
          }),
        );
        members.forEach((member, index) => member.resolve({ invoice: finalized[index]!, numbered: true }));
        return;
      } catch (error) {
        const reasons = cancellationReasons(error);
        if (reasons === undefined) throw error;
        // Invoices another run closed first keep their state and take no number; the rest retry.
        const closed = members.filter((_, index) => reasons[1 + 2 * index] === 'ConditionalCheckFailed');
        for (const member of closed) {
          const current = await this.get(member.invoice.customerId, member.invoice.billingPeriod);
          const { customerId, billingPeriod } = member.invoice;
          if (current === undefined)
            member.reject(new ItemVanishedError(`invoice ${customerId}/${billingPeriod} vanished while finalizing`));
          else member.resolve({ invoice: current, numbered: false });
        }
        members = members.filter((member) => !closed.includes(member));
        if (closed.length > 0) continue;
        // The sequence moved (another process numbered invoices) or the transaction conflicted:
        // full jitter over a window that doubles per lost attempt.
        await sleep(Math.random() * Math.min(5_000, 10 * 2 ** Math.min(attempt, 10)));
      }
    }
    throw new NumberContentionError(
      `could not allocate invoice numbers for ${numbering.prefix}-${numbering.year} after ${this.maxFinalizeAttempts} attempts (contention)`,
    );
  }

  /**
   * Each invoice that asks for it uses its customer's balance, on the ledger as stored plus what
   * the batch's earlier invoices of the same account took (a transaction moves a balance once).
   */
  private async withBalances(
    members: readonly Finalization[],
    numbered: readonly Invoice[],
  ): Promise<{ finalized: Invoice[]; movements: BalanceMovement[] }> {
    const ledgers = new Map<string, BalanceMovement[]>();
    const movements: BalanceMovement[] = [];
    const finalized: Invoice[] = [];
    for (const [index, invoice] of numbered.entries()) {
      const applyBalance = members[index]!.applyBalance;
      if (applyBalance === undefined) {
        finalized.push(invoice);
        continue;
      }
      const account = { customerId: invoice.customerId, currency: invoice.currency };
      const key = `${account.customerId}\u0000${account.currency}`;
      const ledger = ledgers.get(key) ?? (await readLedger(this.client, this.tableName, account));
      const { invoice: withBalance, movement } = applyBalance(invoice, ledger);
      ledgers.set(key, movement === undefined ? ledger : [...ledger, movement]);
      if (movement !== undefined) movements.push(movement);
      finalized.push(withBalance);
    }
    return { finalized, movements };
  }

  async closeDraft(closed: Invoice): Promise<Invoice> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: this.item(closed),
          ConditionExpression: `attribute_not_exists(pk) OR ${NOT_ISSUABLE.expression}`,
          ExpressionAttributeNames: NOT_ISSUABLE.names,
          ExpressionAttributeValues: NOT_ISSUABLE.values,
        }),
      );
      return closed;
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      return (await this.get(closed.customerId, closed.billingPeriod))!;
    }
  }

  async list(filter: { customerId?: string; billingPeriod?: string } = {}): Promise<Invoice[]> {
    const invoices: Invoice[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page: QueryCommandOutput | ScanCommandOutput =
        filter.customerId !== undefined
          ? await this.client.send(
              new QueryCommand({
                TableName: this.tableName,
                KeyConditionExpression: filter.billingPeriod === undefined ? 'pk = :pk' : 'pk = :pk AND sk = :sk',
                ExpressionAttributeValues:
                  filter.billingPeriod === undefined
                    ? { ':pk': `INVOICE#${filter.customerId}` }
                    : { ':pk': `INVOICE#${filter.customerId}`, ':sk': filter.billingPeriod },
                ExclusiveStartKey: startKey,
              }),
            )
          : // Across customers: a scan, filtered; an operator's query, not a hot path.
            await this.client.send(
              new ScanCommand({
                TableName: this.tableName,
                FilterExpression: filter.billingPeriod === undefined ? 'begins_with(pk, :p)' : 'begins_with(pk, :p) AND sk = :sk',
                ExpressionAttributeValues:
                  filter.billingPeriod === undefined ? { ':p': 'INVOICE#' } : { ':p': 'INVOICE#', ':sk': filter.billingPeriod },
                ExclusiveStartKey: startKey,
              }),
            );
      for (const item of page.Items ?? []) invoices.push(storedInvoice(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return invoices.sort(
      (a, b) =>
        a.billingPeriod.localeCompare(b.billingPeriod) ||
        (a.number ?? '~').localeCompare(b.number ?? '~') ||
        a.customerId.localeCompare(b.customerId),
    );
  }

  /**
   * One customer's: a Query of its partition (periods in order), filtered by status there.
   * Across customers: a page of the `listings` index's INVOICES entries (`{period}|{customer}`),
   * then those invoices; with a status, the invoices of other statuses are read and dropped.
   */
  async invoicesPage(query: {
    limit: number;
    after?: string;
    customerId?: string;
    billingPeriod?: string;
    status?: Invoice['status'];
  }): Promise<{ invoices: Invoice[]; more: boolean }> {
    const { status } = query;
    if (query.customerId === undefined) {
      const period = query.billingPeriod;
      const { items, more } = await indexPage(
        this.client,
        this.tableName,
        {
          ...LISTINGS_INDEX,
          partition: INVOICE_LISTING,
          limit: query.limit,
          // `}` follows `|` in code order: every `{period}|...` lies between the two.
          ...(period === undefined ? {} : { range: { from: `${period}|`, to: `${period}}` } }),
          ...(query.after === undefined ? {} : { after: query.after }),
        },
        status === undefined ? undefined : (item) => item.status === status,
      );
      return { invoices: items.map(storedInvoice), more };
    }
    const afterPeriod = query.after?.split('|')[0];
    // A cursor within the one period asked for: that period was its last page.
    if (query.billingPeriod !== undefined && afterPeriod !== undefined) return { invoices: [], more: false };
    const conditions = [
      'pk = :pk',
      ...(query.billingPeriod !== undefined ? ['sk = :period'] : afterPeriod !== undefined ? ['sk > :after'] : []),
    ];
    const invoices: Invoice[] = [];
    const pages = paginateQuery(
      { client: this.client, pageSize: query.limit + 1 },
      {
        TableName: this.tableName,
        KeyConditionExpression: conditions.join(' AND '),
        ExpressionAttributeValues: {
          ':pk': `${INVOICE_PREFIX}${query.customerId}`,
          ...(query.billingPeriod === undefined ? {} : { ':period': query.billingPeriod }),
          ...(afterPeriod === undefined ? {} : { ':after': afterPeriod }),
          ...(status === undefined ? {} : { ':status': status }),
        },
        ...(status === undefined ? {} : { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } }),
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        if (invoices.length === query.limit) return { invoices, more: true };
        invoices.push(storedInvoice(item));
      }
    }
    return { invoices, more: false };
  }

  async listCustomerFrom(customerId: string, fromPeriod: string): Promise<Invoice[]> {
    const invoices: Invoice[] = [];
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk >= :from',
        ExpressionAttributeValues: { ':pk': `${INVOICE_PREFIX}${customerId}`, ':from': fromPeriod },
        // An invoice finalized a moment ago must be seen, or its cut would be missed.
        ConsistentRead: true,
      },
    );
    for await (const page of pages) for (const item of page.Items ?? []) invoices.push(storedInvoice(item));
    return invoices;
  }

  async linkEmail(messageId: string, number: string): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { pk: `EMAIL#${messageId}`, sk: 'EMAIL', number } }));
  }

  async findNumberByEmail(messageId: string): Promise<string | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: `EMAIL#${messageId}`, sk: 'EMAIL' }, ConsistentRead: true }),
    );
    return Item === undefined ? undefined : String(Item.number);
  }

  async update(
    number: string,
    change: (invoice: Invoice) => Invoice | undefined,
    pending?: PendingFacts<Invoice>,
  ): Promise<{ invoice: Invoice; changed: boolean }> {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const { invoice: current, revision } = await readRevision(this.client, this.tableName, number);
      const next = change(current);
      if (next === undefined) return { invoice: current, changed: false };
      const facts = pending?.(next) ?? [];
      try {
        if (facts.length === 0) await this.client.send(new PutCommand({ TableName: this.tableName, ...revisedInvoice(next, revision) }));
        else {
          // The facts in the outbox in the same transaction: stored with the change, or neither.
          await this.client.send(
            new TransactWriteCommand({
              TransactItems: [
                { Put: { TableName: this.tableName, ...revisedInvoice(next, revision) } },
                ...outboxPuts(this.tableName, facts),
              ],
            }),
          );
        }
        return { invoice: next, changed: true };
      } catch (error) {
        if (!isConditionFailed(error) && cancellationReasons(error) === undefined) throw error;
        // Someone else changed it: read again and re-decide.
      }
    }
    throw new ConcurrentChangeError(`invoice ${number} kept changing while updating it`);
  }

  async listOpenReceivables(dueBefore: string): Promise<Invoice[]> {
    const keys = await indexKeys(this.client, this.tableName, OPEN_RECEIVABLES_INDEX, 'receivable = :open AND receivableDue < :before', {
      ':open': OPEN,
      ':before': dueBefore,
    });
    // The index holds keys only (its writes stay one unit per change of a large invoice); the
    // invoices are read here, eventually consistent: dunning re-reads each one it acts on.
    const items = await batchGetAll(this.client, this.tableName, keys, { consistentRead: false });
    const byKey = new Map(items.map((item) => [`${String(item.pk)}|${String(item.sk)}`, storedInvoice(item)]));
    return keys.map((key) => byKey.get(`${key.pk}|${key.sk}`)).filter((invoice): invoice is Invoice => invoice !== undefined);
  }

  async listOpenDrafts(throughPeriod: string): Promise<{ customerId: string; billingPeriod: string }[]> {
    const keys = await indexKeys(this.client, this.tableName, OPEN_DRAFTS_INDEX, 'openDraft = :open AND draftPeriod <= :through', {
      ':open': OPEN,
      ':through': throughPeriod,
    });
    return keys.map((key) => ({ customerId: key.pk.slice(INVOICE_PREFIX.length), billingPeriod: key.sk }));
  }

  async listStuckDeliveries(before: string): Promise<string[]> {
    const keys = await indexKeys(
      this.client,
      this.tableName,
      OPEN_DELIVERIES_INDEX,
      'openDelivery = :open AND deliveryStep < :before',
      { ':open': OPEN, ':before': before },
      ['deliveryStep'],
    );
    return keys.map((key) => key.deliveryStep!.slice(key.deliveryStep!.indexOf('#') + 1));
  }

  private item(invoice: Invoice): Record<string, unknown> {
    return invoiceItem(invoice);
  }
}

/** The transaction item moving sequence `prefix`/`year` from `last` (as read) past `count` more numbers, only if no one moved it meanwhile. */
export function advanceSequence(tableName: string, prefix: string, year: number, last: number, count: number) {
  return {
    TableName: tableName,
    Key: sequenceKey(prefix, year),
    UpdateExpression: 'SET #last = :next',
    ConditionExpression: last === 0 ? 'attribute_not_exists(#last)' : '#last = :last',
    ExpressionAttributeNames: { '#last': 'last' },
    ExpressionAttributeValues: last === 0 ? { ':next': count } : { ':next': last + count, ':last': last },
  };
}

/** The invoice with this number as stored, strongly consistent, and its revision (0: never updated by number). */
export async function readRevision(
  client: DynamoDBDocumentClient,
  tableName: string,
  number: string,
): Promise<{ invoice: Invoice; revision: number }> {
  const { Item: pointer } = await client.send(new GetCommand({ TableName: tableName, Key: numberKey(number), ConsistentRead: true }));
  if (pointer === undefined) throw new InvoiceNotFoundError(`no invoice ${number}`);
  const key = invoiceKey(String(pointer.customerId), String(pointer.billingPeriod));
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
  if (Item === undefined) throw new InvoiceNotFoundError(`no invoice ${number}`);
  return { invoice: storedInvoice(Item), revision: typeof Item.revision === 'number' ? Item.revision : 0 };
}

/** The put of `invoice` as the next revision after `revision`, only if that is still the one stored (optimistic update). */
export function revisedInvoice(invoice: Invoice, revision: number) {
  return {
    Item: { ...invoiceItem(invoice), revision: revision + 1 },
    ConditionExpression: revision === 0 ? 'attribute_not_exists(revision)' : 'revision = :revision',
    ...(revision === 0 ? {} : { ExpressionAttributeValues: { ':revision': revision } }),
  };
}

/** The invoice's entry in the `listings` index (infra/resources.ts): by period, then customer. */
export function invoiceListingKey(customerId: string, billingPeriod: string): { listing: string; listingOrder: string } {
  return { listing: INVOICE_LISTING, listingOrder: `${billingPeriod}|${customerId}` };
}

/** The stored item of an invoice, with the sparse index attributes its state calls for. */
export function invoiceItem(invoice: Invoice): Record<string, unknown> {
  return {
    ...invoiceKey(invoice.customerId, invoice.billingPeriod),
    status: invoice.status,
    deliveryStatus: invoice.deliveryStatus,
    eventCount: invoice.eventCount,
    ...(isOpenReceivable(invoice) ? { receivable: OPEN, receivableDue: `${invoice.dueDate}#${invoice.number}` } : {}),
    ...(invoice.status === 'draft' ? { openDraft: OPEN, draftPeriod: invoice.billingPeriod } : {}),
    ...(awaitsDelivery(invoice) ? { openDelivery: OPEN, deliveryStep: `${lastDeliveryStep(invoice)}#${invoice.number}` } : {}),
    ...invoiceListingKey(invoice.customerId, invoice.billingPeriod),
    invoiceGz: gzipJson(invoice),
  };
}

const OPEN_RECEIVABLES_INDEX = 'open-receivables';
const OPEN_DRAFTS_INDEX = 'open-drafts';
/** Sparse, keys-only: partition `openDelivery` (OPEN for invoices; credit-note-store.ts has its own value), sort `deliveryStep`. */
export const OPEN_DELIVERIES_INDEX = 'open-deliveries';
const OPEN = 'OPEN';
const INVOICE_LISTING = 'INVOICES';

/**
 * The condition that the stored invoice is in a state `transition` may happen from (the
 * lifecycle decides which; the write only enforces it, so two writers cannot both act on one state).
 */
function storedStatusIn(transition: keyof typeof STATUS_TRANSITIONS) {
  const from: readonly string[] = STATUS_TRANSITIONS[transition].from;
  return {
    expression: `#status IN (${from.map((_, index) => `:from${index}`).join(', ')})`,
    names: { '#status': 'status' },
    values: Object.fromEntries(from.map((status, index) => [`:from${index}`, status])) as Record<string, string>,
    holds: (invoice: Invoice) => from.includes(invoice.status),
  };
}

const REVISABLE = storedStatusIn('reviseDraft');
const FINALIZABLE = storedStatusIn('finalize');
const NOT_ISSUABLE = storedStatusIn('closeNotIssued');

/**
 * Invoices written before compression hold the plain map in `invoice` (rewritten compressed at
 * their next change); those stored before payments and dunning existed lack their fields:
 * they start empty.
 */
export function storedInvoice(item: Record<string, unknown>): Invoice {
  const invoice = item.invoiceGz instanceof Uint8Array ? gunzipJson<Invoice>(item.invoiceGz) : (item.invoice as Invoice);
  return {
    ...invoice,
    amountRefunded: invoice.amountRefunded ?? 0,
    customerCredit: invoice.customerCredit ?? 0,
    payments: invoice.payments ?? [],
    reminders: invoice.reminders ?? [],
  };
}
