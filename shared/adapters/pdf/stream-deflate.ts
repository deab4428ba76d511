/**
 * How billflow compresses the PDF streams it writes in bulk: the pages' content (the line table's
 * text and rules) and the embedded Factur-X XML. pdfkit deflates every stream at zlib's default
 * level 6 and offers no option to change it. For a 300-line invoice that was 3.4 ms of a 19 ms
 * render (16 streams, 560 KB in), and level 1 takes 1.3 ms for 9 KB more output (57 -> 66 KB),
 * a trade any invoice PDF can afford: the e-mail and S3 care about tens of kilobytes no more
 * than about a few. Fonts, the ICC profile and the XMP stay with pdfkit (a few KB, level 6).
 */
import { deflateSync } from 'node:zlib';

/** zlib's fastest level: content streams and CII XML are repetitive text, which it still shrinks 5-8 times. */
export const STREAM_DEFLATE_LEVEL = 1;

/** The bytes as a /FlateDecode stream's data. */
export function deflateStream(data: Uint8Array): Buffer {
  return deflateSync(data, { level: STREAM_DEFLATE_LEVEL });
}
