/**
 * Business metrics counted outside a Lambda invocation (the operator CLI), where Powertools'
 * EMF lines would reach no log group. In Lambda, functions use shared/observability.ts.
 */
export interface BusinessMetrics {
  count(name: string, value: number, dimensions?: Readonly<Record<string, string>>): Promise<void>;
}

/** Locally there is no CloudWatch: counting is a no-op. */
export const noBusinessMetrics: BusinessMetrics = { count: async () => undefined };
