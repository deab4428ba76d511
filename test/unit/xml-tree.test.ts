/** The e-invoice XML serializer: what it escapes, and what it leaves out. */
import fc from 'fast-check';
import { XMLBuilder } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { EMPTY_ELEMENT, serializeXml, text, XML_BUILDER_OPTIONS, type XmlElement, type XmlNode } from '#domain/einvoice/xml-tree.ts';

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

describe('serializeXml without the stock subtree scans', () => {
  const name = fc.constantFrom('ram:ID', 'ram:Name', 'cbc:Note', 'cac:Party', 'udt:DateTimeString', 'x');
  const value = fc.oneof(fc.string(), fc.constantFrom('', 'Müller & Søn <GmbH>', '"q\'', '株式会社', 'a<b'));
  const { element } = fc.letrec<{ element: XmlElement; node: XmlNode }>((tie) => ({
    element: fc.oneof(
      fc.constant(EMPTY_ELEMENT),
      value.chain((text) =>
        fc
          .dictionary(
            name.map((key) => `@${key}`),
            value,
            { maxKeys: 2 },
          )
          .map((attributes) => ({ '#': text, ...attributes })),
      ),
      fc.dictionary(name, tie('node'), { minKeys: 1, maxKeys: 4 }),
    ),
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      value,
      fc.constant(undefined),
      tie('element'),
      fc.array(tie('element'), { maxLength: 3 }),
    ),
  }));

  it('writes what the stock XMLBuilder writes with the same options, byte for byte, for any tree', () => {
    const stock = new XMLBuilder(XML_BUILDER_OPTIONS);
    fc.assert(
      fc.property(name, element, (root, tree) => {
        const document = { [root]: tree };
        expect(serializeXml(document)).toBe(`<?xml version="1.0" encoding="UTF-8"?>\n${stock.build(document)}`);
      }),
      { numRuns: 500 },
    );
  });
});
