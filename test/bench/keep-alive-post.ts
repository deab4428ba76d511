/**
 * One JSON POST over a keep-alive agent, as the HTTP benchmarks send them: the whole response
 * body is read (so the socket goes back to the agent), and `onSocket` sees the socket used, so a
 * bench can count the connections its requests shared.
 */
import { type Agent, request } from 'node:http';

export function postJson(
  agent: Agent,
  url: URL,
  body: string,
  headers: Readonly<Record<string, string>>,
  onSocket: (socket: unknown) => void,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        incoming.on('error', reject);
      },
    );
    outgoing.on('socket', onSocket);
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
