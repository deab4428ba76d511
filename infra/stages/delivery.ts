/**
 * Delivery: each finalized invoice and issued credit note rendered to PDF once (render-invoice)
 * and emailed once (send-invoice, SES); bounces and complaints come back through the mail events queue to
 * record-mail-event; deliveries stuck past their claim timeout are handed to render-invoice
 * again by whichever function is granted recoversStuckDeliveries (the invoice run).
 */
import { ArnFormat, CfnParameter } from 'aws-cdk-lib';
import { EmailSendingEvent } from 'aws-cdk-lib/aws-ses';
import type { BillingFunction } from '../constructs/billing-function.ts';
import { MailEvents } from '../constructs/mail-events.ts';
import type { StageRow } from '../constructs/pipeline-dashboard.ts';
import type { QueueWithDeadLetter } from '../constructs/queue-with-dead-letter.ts';
import { businessMetric } from '../constructs/business-metric.ts';
import { DASHBOARD_PERIOD } from '../constructs/pipeline-dashboard.ts';
import { queueAlarms } from '../alarms.ts';
import { buckets, consumers, queues, RENDER_V8_OPTIONS, tables } from '../resources.ts';
import { count, deadLetters, invocations, received, waiting } from './dashboard-metrics.ts';
import { alarmNamePrefix, alarmedQueue, functionFrom, type PipelineStage, type StageContext } from './stage-context.ts';

/**
 * Keys of invoice documents in the invoices bucket: `invoices/{prefix}/{YYYY}/{number}.pdf`
 * (documentKey in shared/domain/invoice/email-content.ts). Functions may only touch these objects.
 */
export const INVOICE_DOCUMENT_KEYS = 'invoices/*';

/**
 * Keys of credit note documents: `credit-notes/{prefix}/{YYYY}/{number}.pdf` (creditNoteDocumentKey
 * in shared/domain/credit-notes/delivery.ts), rendered and emailed by the same two functions.
 */
export const CREDIT_NOTE_DOCUMENT_KEYS = 'credit-notes/*';

export class DeliveryStage implements PipelineStage {
  /** Finalized invoices to render (from close-billing-period and the recovery of stuck deliveries). */
  public readonly invoiceDocumentsQueue: QueueWithDeadLetter;
  /** Rendered invoices to email (from render-invoice). */
  public readonly invoiceEmailsQueue: QueueWithDeadLetter;
  /** SES configuration set of invoice emails, and the queue its bounces and complaints reach. */
  public readonly mailEvents: MailEvents;
  public readonly renderInvoiceFunction: BillingFunction;
  public readonly sendInvoiceFunction: BillingFunction;
  public readonly recordMailEventFunction: BillingFunction;
  public readonly dashboardRows: readonly StageRow[];
  /** The SES identity invoices are sent from (the SenderIdentity parameter). */
  private readonly senderIdentityArn: string;
  private readonly context: StageContext;

  public constructor(context: StageContext) {
    this.context = context;
    this.invoiceDocumentsQueue = alarmedQueue(context, 'InvoiceDocumentsQueue', 'invoiceDocuments');
    this.invoiceEmailsQueue = alarmedQueue(context, 'InvoiceEmailsQueue', 'invoiceEmails');

    // SES sends as this identity only (IAM resource identity/{SenderIdentity}): the invoice
    // issuer's verified domain or address. No "*", so no other identity of the account.
    const senderIdentity = new CfnParameter(context.stack, 'SenderIdentity', {
      type: 'String',
      allowedPattern: '^([^@\\s*]+@)?[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$',
      constraintDescription: 'a domain (acme.example) or email address (billing@acme.example), no wildcards',
      description: "SES identity invoices are sent from: the verified domain (acme.example) or email address of the issuer's From address.",
    });
    this.senderIdentityArn = context.stack.formatArn({
      service: 'ses',
      resource: 'identity',
      resourceName: senderIdentity.valueAsString,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    this.mailEvents = new MailEvents(context.stack, 'MailEvents', {
      queue: queues.invoiceMailEvents,
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT, EmailSendingEvent.REJECT, EmailSendingEvent.DELIVERY_DELAY],
      keyRemovalPolicy: context.settings.dataRemovalPolicy,
    });
    const alarmProps = { namePrefix: alarmNamePrefix(context), action: context.alarms.action };
    this.mailEvents.addAlarms(alarmProps);
    // Consumed by record-mail-event (below), which records bounces and complaints on the invoice.
    this.mailEvents.events.addAlarms({ ...alarmProps, ...queueAlarms.invoiceMailEvents });

    this.renderInvoiceFunction = this.renderInvoice();
    this.sendInvoiceFunction = this.sendInvoice();

    const mailEvent = consumers.recordMailEvent;
    this.recordMailEventFunction = functionFrom(context, mailEvent, {
      description: 'Records SES bounces and complaints of invoice emails on the invoices',
    })
      // findNumberByEmail (GetItem of the EMAIL# link) and update (GetItem, conditional PutItem).
      .bindTable(context.billingTable, tables.billing.envVar, 'dynamodb:GetItem', 'dynamodb:PutItem')
      .consumeQueue(this.mailEvents.events.queue, mailEvent);

    this.dashboardRows = [this.renderRow(), this.sendRow()];
  }

  /** requestDocument: `fn` sends one { number } per finalized invoice to render-invoice. */
  public requestsDocuments(fn: BillingFunction): BillingFunction {
    return fn.sendsTo(this.invoiceDocumentsQueue.queue, queues.invoiceDocuments.envVar);
  }

  /**
   * `fn` finds deliveries stuck past the claim timeout (InvoiceRepository.listStuckDeliveries,
   * on the sparse open-deliveries index) and hands each { number } to render-invoice again.
   */
  public recoversStuckDeliveries(fn: BillingFunction): BillingFunction {
    return this.requestsDocuments(fn.queriesIndex(this.context.billingTable, 'open-deliveries'));
  }

  /**
   * `fn` emails as the issuer's identity, with the configuration set whose bounce and complaint
   * events record-mail-event records on the invoice.
   */
  public sendsMailAsIssuer(fn: BillingFunction): BillingFunction {
    return fn.sendsEmail(this.senderIdentityArn, this.mailEvents.configurationSet, 'SES_CONFIGURATION_SET');
  }

  // Both delivery functions read their configuration with readDeliveryConfig.
  private renderInvoice(): BillingFunction {
    const { context } = this;
    return (
      functionFrom(context, consumers.renderInvoice, {
        description: 'Renders each finalized invoice and issued credit note to PDF once, stores it in S3 and requests its email',
        v8Options: RENDER_V8_OPTIONS,
        // Files the renderer loads at run time, which esbuild cannot inline:
        // - shared/adapters/pdf/fonts.ts reads the DejaVu TTFs through
        //   require.resolve('dejavu-fonts-ttf/ttf/...') from the bundle's directory (the license
        //   must accompany the fonts);
        // - pdfkit loads its standard fonts through require('#standard-fonts/...'); billflow's
        //   renderer passes `font: ''` so none is loaded today, but any call that falls back to
        //   a standard font would, so they stay shipped: a subpath import of pdfkit's package.json. In
        //   the bundle that require is resolved against the asset's package.json, so the asset
        //   gets one mapping it to pdfkit's exported `pdfkit/standard-fonts/*` (Node does not
        //   allow an imports target inside node_modules), and pdfkit's package.json (its
        //   exports) with the font metrics they point to.
        packageFiles: [
          { packageName: 'dejavu-fonts-ttf', files: ['ttf/DejaVuSans.ttf', 'ttf/DejaVuSans-Bold.ttf', 'LICENSE'] },
          // IPAex Gothic for Japanese names and documents (fonts.ts, loaded only when a document needs it): 6 MB.
          { packageName: 'billflow-font-ipaexg', files: ['ipaexg.ttf', 'LICENSE'] },
          { packageName: 'pdfkit', files: ['js/standard-fonts', 'LICENSE'] },
        ],
        packageImports: { '#standard-fonts/*': 'pdfkit/standard-fonts/*' },
      })
        .bindTable(
          context.billingTable,
          tables.billing.envVar,
          // InvoiceRepository.findByNumber (number pointer, then the invoice) and the read of update.
          'dynamodb:GetItem',
          // InvoiceRepository.update: the conditional put recording the document.
          'dynamodb:PutItem',
        )
        .bindBucket(
          context.invoicesBucket,
          buckets.invoices.envVar,
          INVOICE_DOCUMENT_KEYS,
          // S3DocumentStore.putOnce: HeadObject (authorized by s3:GetObject), the conditional
          // PutObject, and GetObject of a document that already exists.
          's3:GetObject',
          's3:PutObject',
          // Without it S3 answers HeadObject of a missing key with 403 instead of 404, and
          // putOnce (which expects NotFound before the first render) would fail every new invoice.
          's3:ListBucket',
        )
        // The same for credit notes (render requests with document: credit_note); ListBucket is granted above.
        .bindBucket(context.invoicesBucket, buckets.invoices.envVar, CREDIT_NOTE_DOCUMENT_KEYS, 's3:GetObject', 's3:PutObject')
        // requestEmail: one { number } per rendered invoice, to send-invoice.
        .sendsTo(this.invoiceEmailsQueue.queue, queues.invoiceEmails.envVar)
        .consumeQueue(this.invoiceDocumentsQueue.queue, consumers.renderInvoice)
    );
  }

  private sendInvoice(): BillingFunction {
    const { context } = this;
    const send = functionFrom(context, consumers.sendInvoice, {
      description: 'Emails each rendered invoice and credit note once through SES, with its PDF attached',
    })
      // findByNumber (two GetItems) and update (GetItem, conditional PutItem): the claim, its
      // release after a failure, and the record of the sent email.
      .bindTable(context.billingTable, tables.billing.envVar, 'dynamodb:GetItem', 'dynamodb:PutItem')
      // S3DocumentStore.get: the PDF to attach.
      .bindBucket(context.invoicesBucket, buckets.invoices.envVar, INVOICE_DOCUMENT_KEYS, 's3:GetObject')
      // The credit note PDF to attach (send requests with document: credit_note).
      .bindBucket(context.invoicesBucket, buckets.invoices.envVar, CREDIT_NOTE_DOCUMENT_KEYS, 's3:GetObject');
    this.sendsMailAsIssuer(send).consumeQueue(this.invoiceEmailsQueue.queue, consumers.sendInvoice);
    // The URL only, because readDeliveryConfig requires it: send-invoice never sends to it.
    send.addEnvironment(queues.invoiceEmails.envVar, this.invoiceEmailsQueue.queue.queueUrl);
    return send;
  }

  private renderRow(): StageRow {
    const render = consumers.renderInvoice;
    return {
      title: 'Render',
      description: `Each finalized invoice from the ${queues.invoiceDocuments.id} queue rendered to PDF once by ${render.functionId} and stored in the invoices bucket.`,
      throughput: [received(this.invoiceDocumentsQueue), invocations(render.functionId, this.renderInvoiceFunction)],
      functions: [{ label: render.functionId, fn: this.renderInvoiceFunction }],
      deadLetterQueues: [deadLetters(this.invoiceDocumentsQueue)],
      queues: [waiting(this.invoiceDocumentsQueue)],
      figures: [
        { title: 'Documents rendered', metrics: [count('DocumentsRendered', 'rendered')], unit: 'documents / 5 min' },
        {
          title: 'Render time',
          metrics: [
            businessMetric('DocumentRenderTime', DASHBOARD_PERIOD, { statistic: 'p50', label: 'render p50' }),
            businessMetric('DocumentRenderTime', DASHBOARD_PERIOD, { statistic: 'p99', label: 'render p99' }),
            this.renderInvoiceFunction.metricDuration({
              label: `${render.functionId} duration p99`,
              period: DASHBOARD_PERIOD,
              statistic: 'p99',
            }),
          ],
          unit: 'ms',
        },
      ],
    };
  }

  private sendRow(): StageRow {
    const { sendInvoice: send, recordMailEvent: mailEvent } = consumers;
    return {
      title: 'Send',
      description: `Each rendered invoice from the ${queues.invoiceEmails.id} queue emailed once by ${send.functionId} (SES); bounces and complaints come back through the ${queues.invoiceMailEvents.id} queue to ${mailEvent.functionId}.`,
      throughput: [
        received(this.invoiceEmailsQueue),
        invocations(send.functionId, this.sendInvoiceFunction),
        received(this.mailEvents.events),
        invocations(mailEvent.functionId, this.recordMailEventFunction),
      ],
      functions: [
        { label: send.functionId, fn: this.sendInvoiceFunction },
        { label: mailEvent.functionId, fn: this.recordMailEventFunction },
      ],
      deadLetterQueues: [
        deadLetters(this.invoiceEmailsQueue),
        deadLetters(this.mailEvents.events),
        { label: this.mailEvents.subscriptionDeadLetterName, queue: this.mailEvents.subscriptionDeadLetterQueue },
      ],
      queues: [waiting(this.invoiceEmailsQueue), waiting(this.mailEvents.events)],
      figures: [
        {
          title: 'Invoice emails',
          metrics: [
            count('InvoiceEmailsSent', 'sent'),
            count('InvoiceEmailFailures', 'refused for good'),
            // Published by start-invoice-run: deliveries stuck past the claim timeout, handed to render-invoice again.
            count('InvoiceDeliveriesRecovered', 'stuck deliveries recovered'),
          ],
          unit: 'emails / 5 min',
        },
        {
          title: 'Credit note emails',
          metrics: [count('CreditNoteEmailsSent', 'sent'), count('CreditNoteEmailFailures', 'refused for good')],
          unit: 'emails / 5 min',
        },
        {
          title: 'Delivery problems reported by SES',
          metrics: [count('InvoiceEmailBounces', 'bounces'), count('InvoiceEmailProblems', 'complaints, rejects, delays')],
          unit: 'events / 5 min',
        },
      ],
    };
  }
}
