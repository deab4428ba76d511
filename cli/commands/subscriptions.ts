/**
 * `billflow customers add|update FILE` and `billflow subscriptions start|change|cancel|list`:
 * a customer's profile and subscriptions, changed without rewriting the catalog document.
 * Each request is checked whole and refused with every problem by path; nothing that would
 * change a finalized period is written.
 */
import type { Command } from 'commander';
import type { CatalogIssue, Customer } from '#domain/catalog/types.ts';
import { formatIssue } from '#domain/catalog/validate.ts';
import { subscriptionStatus } from '#domain/subscriptions/changes.ts';
import { isoSeconds, subscriptionsOf } from '#domain/subscriptions/subscription.ts';
import { changeSubscription, saveCustomer, type ManageResult, type SubscriptionRequest } from '#use-cases/manage-subscriptions.ts';
import { createContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { emit, pendingFactWarning, table } from '../output.ts';
import { readDocumentFile } from '../read-document.ts';
import type { GlobalOptions } from '../options.ts';

export function registerCustomerCommands(program: Command, globals: () => GlobalOptions): void {
  const customers = program
    .command('customers')
    .description("add or update one customer (JSON or YAML, as one entry of the catalog's customers)");
  for (const mode of ['add', 'update'] as const) {
    customers
      .command(mode)
      .description(mode === 'add' ? 'add a new customer' : 'replace an existing customer (refused if it would change a finalized period)')
      .argument('<file>', 'one customer, .json, .yaml or .yml')
      .action(async (file: string) => {
        const parsed = readDocumentFile(file);
        const context = createContext(globals().outputs);
        const result = parsed.ok
          ? await saveCustomer(parsed.value, mode, {
              catalog: context.catalog,
              invoices: context.invoices,
              now: Date.now(),
              outbound: context.outbound,
            })
          : { ok: false as const, issues: parsed.issues };
        report(
          globals(),
          result,
          `${file}`,
          (customer) => `${mode === 'add' ? 'added' : 'updated'} customer ${customer.id}\n${subscriptionTable(customer)}`,
        );
      });
  }
}

export function registerSubscriptionCommands(program: Command, globals: () => GlobalOptions): void {
  const subscriptions = program
    .command('subscriptions')
    .description("a customer's subscriptions over time: start, change plan, cancel, list");
  const run = async (customerId: string, request: SubscriptionRequest, done: string) => {
    const context = createContext(globals().outputs);
    const result = await changeSubscription(customerId, request, {
      catalog: context.catalog,
      invoices: context.invoices,
      now: Date.now(),
      outbound: context.outbound,
    });
    report(globals(), result, `subscriptions ${request.kind} ${customerId}`, (customer) => `${done}\n${subscriptionTable(customer)}`);
    if (result.ok && result.outboundError !== undefined)
      process.stderr.write(
        pendingFactWarning(`the subscriptions of ${customerId} are changed`, 'subscription.changed', result.outboundError),
      );
  };
  subscriptions
    .command('start')
    .description('start a subscription (at most one active at any instant)')
    .argument('<customer>', 'customer id')
    .requiredOption('--plan <code>', 'plan code')
    .option(
      '--at <instant>',
      'RFC 3339 instant in whole seconds (default: now); past instants are fine while no finalized invoice covers them',
    )
    .action(async (customerId: string, options: { plan: string; at?: string }) =>
      run(
        customerId,
        { kind: 'start', plan: options.plan, ...(options.at === undefined ? {} : { at: options.at }) },
        `${customerId} starts on plan ${options.plan}`,
      ),
    );
  subscriptions
    .command('change')
    .description('move the subscription active at --at to another plan from then on')
    .argument('<customer>', 'customer id')
    .requiredOption('--plan <code>', 'the new plan')
    .requiredOption('--at <instant>', 'RFC 3339 instant in whole seconds, or period-end')
    .action(async (customerId: string, options: { plan: string; at: string }) =>
      run(customerId, { kind: 'change', plan: options.plan, at: options.at }, `${customerId} moves to plan ${options.plan}`),
    );
  subscriptions
    .command('cancel')
    .description('end the subscription active at --at then (its last partial period is billed on the normal schedule)')
    .argument('<customer>', 'customer id')
    .requiredOption('--at <instant>', 'RFC 3339 instant in whole seconds, or period-end')
    .action(async (customerId: string, options: { at: string }) =>
      run(customerId, { kind: 'cancel', at: options.at }, `${customerId} cancelled`),
    );
  subscriptions
    .command('list')
    .description("a customer's subscriptions, oldest first, with where each stands now")
    .argument('<customer>', 'customer id')
    .action(async (customerId: string) => {
      const context = createContext(globals().outputs);
      const customer = (await context.catalog.findCustomers([customerId])).get(customerId);
      if (customer === undefined) throw new UsageError(`no customer "${customerId}" in the catalog`);
      emit(globals(), { customerId, subscriptions: subscriptionRows(customer, Date.now()) }, () => subscriptionTable(customer));
    });
}

function subscriptionRows(customer: Customer, now: number) {
  return subscriptionsOf(customer).map((subscription) => ({
    plan: subscription.plan,
    start: subscription.start === undefined ? null : isoSeconds(subscription.start),
    end: subscription.end === undefined ? null : isoSeconds(subscription.end),
    status: subscriptionStatus(subscription, now),
  }));
}

function subscriptionTable(customer: Customer): string {
  const rows = subscriptionRows(customer, Date.now());
  if (rows.length === 0) return `${customer.id} has no subscriptions`;
  return table(
    ['PLAN', 'START', 'END (EXCLUDED)', 'STATUS'],
    rows.map((row) => [row.plan, row.start ?? '(always: plan shorthand)', row.end ?? '(open)', row.status]),
  );
}

function report(
  options: GlobalOptions,
  result: ManageResult | { ok: false; issues: CatalogIssue[] },
  what: string,
  text: (customer: Customer) => string,
): void {
  if (!result.ok) {
    if (options.json) process.stdout.write(`${JSON.stringify({ applied: false, errors: result.issues }, null, 2)}\n`);
    process.stderr.write(
      `${what}: refused, nothing was written (${result.issues.length} errors):\n${result.issues.map((issue) => `  ${formatIssue(issue)}`).join('\n')}\n`,
    );
    process.exitCode = 1;
    return;
  }
  emit(options, { applied: true, customer: result.customer, subscriptions: subscriptionRows(result.customer, Date.now()) }, () =>
    text(result.customer),
  );
}
