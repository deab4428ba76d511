/** The e-invoice XML serializer: what it escapes, and what it leaves out. */
import { describe, expect, it } from 'vitest';
import { EMPTY_ELEMENT, serializeXml, text } from '#domain/einvoice/xml-tree.ts';

describe('serializeXml', () => {
  it('escapes & < > \' " in text and in attribute values, and nothing else', () => {
    const xml = serializeXml({
      'ram:Root': {
        'ram:Name': `Müller & Søn <GmbH> "Ωmega" l'atelier 株式会社`,
        'ram:ID': text('a&b<c>"d\'e', { schemeID: `x&y<z>"q'` }),
        'ram:Plain': 'ACME-2026-000042',
      },
    });

    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<ram:Root>' +
        '<ram:Name>Müller &amp; Søn &lt;GmbH&gt; &quot;Ωmega&quot; l&apos;atelier 株式会社</ram:Name>' +
        '<ram:ID schemeID="x&amp;y&lt;z&gt;&quot;q&apos;">a&amp;b&lt;c&gt;&quot;d&apos;e</ram:ID>' +
        '<ram:Plain>ACME-2026-000042</ram:Plain>' +
        '</ram:Root>',
    );
  });

  it('writes repeated elements in order, an EMPTY_ELEMENT as an empty pair, and skips undefined parts', () => {
    const xml = serializeXml({
      'rsm:Doc': {
        'ram:Note': [{ 'ram:Content': 'one' }, { 'ram:Content': 'two' }],
        'ram:Delivery': EMPTY_ELEMENT,
        'ram:Missing': undefined,
      },
    });

    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<rsm:Doc><ram:Note><ram:Content>one</ram:Content></ram:Note>' +
        '<ram:Note><ram:Content>two</ram:Content></ram:Note><ram:Delivery></ram:Delivery></rsm:Doc>',
    );
  });
});
