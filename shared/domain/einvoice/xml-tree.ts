/**
 * Serializes an element tree with fast-xml-parser's XMLBuilder, which escapes every text and
 * attribute value (a customer called "Müller & Søn <GmbH>" stays well-formed). Writers build
 * plain objects ('@attr', '#' text, arrays for repeated elements) and leave optional parts
 * `undefined`: XMLBuilder skips them. An optional group is `undefined` as a whole when it has
 * nothing to say (`x === undefined ? undefined : {...}`), never an object of undefined parts,
 * which would be written as an empty element (Peppol forbids those, PEPPOL-EN16931-R008, and
 * the tests run that rule on every format).
 *
 * Why not xmlbuilder2: it builds a DOM first and took 110-220 ms for a 300-line invoice here,
 * more than rendering its PDF; XMLBuilder writes the same document in about a fifth of that.
 */
import { XMLBuilder, type XmlBuilderOptions } from 'fast-xml-parser';

export type XmlNode = string | XmlElement | readonly XmlNode[] | undefined;
export interface XmlElement {
  readonly [name: string]: XmlNode;
}

/** An element the schema requires even when it has nothing to say. */
export const EMPTY_ELEMENT: XmlElement = { '#': '' };

export function serializeXml(root: XmlElement): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${BUILDER.build(root)}`;
}

/**
 * fast-xml-parser's XMLBuilder is fast-xml-builder, whose `jPath` option (false: hand the
 * callbacks a matcher instead of the element's path as a string) its types do not list yet.
 */
export const XML_BUILDER_OPTIONS: XmlBuilderOptions & { readonly jPath: boolean } = {
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#',
  // Escaping & < > ' " in text and attribute values, in one pass (escapeXml) instead of
  // XMLBuilder's five regular expressions per value (processEntities), and no element paths
  // built as strings for callbacks that use none (jPath): 6.5 -> 3.5 ms for a 300-line CII, the
  // same bytes.
  processEntities: false,
  tagValueProcessor: (_name: string, value: unknown) => escapeXml(value),
  attributeValueProcessor: (_name: string, value: unknown) => escapeXml(value),
  jPath: false,
  suppressEmptyNode: false,
  // Not indented: a 300-line CII is 480 KB indented and 380 KB without, and the PDF embeds it
  // and checksums it. `xmllint --format` shows it indented.
  format: false,
};
const BUILDER = withoutSubtreeScans(new XMLBuilder(XML_BUILDER_OPTIONS));

/** The method of fast-xml-builder's Builder that wraps an element's serialized children in its tags. */
interface ElementWrapper {
  // A property, not a method: withoutSubtreeScans keeps the stock one and calls it on the builder.
  buildObjectNode: (this: ElementWrapper, children: string, name: string, attributes: string, level: number) => string;
}

/**
 * XMLBuilder's buildObjectNode asks `children.indexOf('<')` to choose between two ways of
 * wrapping an element's children, which differ only in indentation. The children are a string
 * built by concatenation, and the search makes V8 copy it into one flat string: at every level,
 * so a 380 KB invoice was copied once per level of nesting: 5.1 -> 3.9 ms for its XML without
 * the search. The string is still flattened once, when it is turned into bytes (0.7 ms of the
 * saving comes back there), so a render saves about 0.6 ms. With `format: false` both ways give
 * the same bytes, so this takes the one without indentation directly; empty elements and
 * processing instructions stay with the stock method.
 * test/unit/xml-tree.test.ts compares the documents with the stock builder's, byte for byte.
 */
function withoutSubtreeScans(builder: XMLBuilder): XMLBuilder {
  if (XML_BUILDER_OPTIONS.format !== false) throw new Error('withoutSubtreeScans writes unindented XML only');
  const wrapper = builder as unknown as ElementWrapper;
  const stock = wrapper.buildObjectNode;
  if (typeof stock !== 'function') throw new Error('fast-xml-builder no longer has buildObjectNode: check how it wraps elements');
  wrapper.buildObjectNode = function wrapChildren(this: ElementWrapper, children, name, attributes, level) {
    if (children === '' || name.startsWith('?')) return stock.call(this, children, name, attributes, level);
    return `<${name}${attributes}>${children}</${name}>`;
  };
  return builder;
}

const XML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', "'": '&apos;', '"': '&quot;' };
const NEEDS_ESCAPING = /[&<>'"]/;

/** The value with the characters XML reserves as entity references (most values have none). */
function escapeXml(value: unknown): unknown {
  if (typeof value !== 'string' || !NEEDS_ESCAPING.test(value)) return value;
  return value.replace(/[&<>'"]/g, (character) => XML_ESCAPES[character] ?? character);
}

/**
 * A text element with attributes, e.g. `text('4012345000009', { schemeID: '0088' })`. Without
 * attributes it is the plain string: XMLBuilder writes the same element, without treating it as
 * an object (scanning it for attributes, tracking its path, recursing into it).
 */
export function text(value: string | undefined, attributes: Readonly<Record<string, string>> = {}): XmlNode {
  if (value === undefined) return undefined;
  const names = Object.keys(attributes);
  if (names.length === 0) return value;
  const element: Record<string, string> = { '#': value };
  for (const name of names) element[`@${name}`] = attributes[name] ?? '';
  return element;
}
