/**
 * What the hourly invoice run remembers between runs: for which catalog version it last
 * enqueued every customer of a period. Lets the runs of the day after a period ends skip the
 * customer list (and a no-op job per customer) once every customer has a draft or invoice.
 */
export interface InvoiceRunLog {
  /** The catalog version at which every customer of `period` (YYYY-MM) was enqueued, if ever. */
  customersEnqueued(period: string): Promise<string | undefined>;
  recordCustomersEnqueued(period: string, catalogVersion: string, at: string): Promise<void>;
}
