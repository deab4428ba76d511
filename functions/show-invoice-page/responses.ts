/**
 * The hosted invoice page's HTTP answers: the headers every answer carries (never cached, no
 * Referer leaking the token to another site, no sniffing), a Content-Security-Policy that allows
 * no script at all and only the page's own inline stylesheet (by its hash), and the plain 404.
 */
import { createHash } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

const COMMON_HEADERS = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

/** Scripts, frames, forms, plugins, external resources: none. Styles: only the page's inline ones, by hash. */
export function contentSecurityPolicy(html: string): string {
  const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map(
    (match) => `'sha256-${createHash('sha256').update(match[1]!).digest('base64')}'`,
  );
  return [
    "default-src 'none'",
    `style-src ${styles.length === 0 ? "'none'" : styles.join(' ')}`,
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function htmlAnswer(status: number, html: string): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { ...COMMON_HEADERS, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': contentSecurityPolicy(html) },
    body: html,
  };
}

export function documentAnswer(body: Buffer, contentType: string, fileName: string): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: 200,
    headers: {
      ...COMMON_HEADERS,
      'content-type': contentType,
      'content-disposition': `attachment; filename="${fileName}"`,
      'content-security-policy': "default-src 'none'; sandbox",
    },
    body: body.toString('base64'),
    isBase64Encoded: true,
  };
}

/** One page for unknown, revoked and malformed tokens alike: it says nothing about which. */
export const NOT_FOUND_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="robots" content="noindex">
<title>Not found</title>
</head>
<body>
<main>
<h1>Not found</h1>
<p>This invoice link is unknown or no longer valid. Please ask the sender of the invoice for a new link.</p>
</main>
</body>
</html>
`;
