/**
 * What the mail provider reports about an invoice email, whatever its format (SES through SNS
 * today: shared/formats/mail-notifications.ts reads it). `detail` is the provider's own account,
 * kept on the invoice for the person who fixes the address.
 */
export type MailEvent =
  | { readonly kind: 'bounce'; readonly messageId: string; readonly permanent: boolean; readonly detail: string }
  | { readonly kind: 'complaint'; readonly messageId: string; readonly detail: string }
  /** Sends, deliveries, opens...: acknowledged, nothing recorded. */
  | { readonly kind: 'other'; readonly messageId: string };
