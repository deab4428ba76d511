/**
 * Serializes an element tree with xmlbuilder2, which escapes every text and attribute value
 * (a customer called "Müller & Søn <GmbH>" stays well-formed). Writers build plain objects in
 * xmlbuilder2's object notation ('@attr', '#' text, arrays for repeated elements) and may leave
 * optional parts `undefined`: they are dropped here, so no empty element is ever written
 * (Peppol forbids them, PEPPOL-EN16931-R008).
 */
import { create } from 'xmlbuilder2';

export type XmlNode = string | XmlElement | readonly XmlNode[] | undefined;
export interface XmlElement {
  readonly [name: string]: XmlNode;
}

/** An element the schema requires even when it has nothing to say. */
export const EMPTY_ELEMENT: XmlElement = { '#': '' };

export function serializeXml(root: XmlElement): string {
  const tree = prune(root);
  if (tree === undefined || typeof tree === 'string' || Array.isArray(tree)) throw new Error('An XML document needs one root element');
  // Two-space indentation keeps the file readable for a person checking it; the validators and
  // the byte-identity check do not care.
  return create({ version: '1.0', encoding: 'UTF-8' }, tree as Record<string, unknown>).end({ prettyPrint: true, indent: '  ' }) + '\n';
}

function prune(node: XmlNode): XmlNode {
  if (node === undefined || typeof node === 'string') return node;
  if (Array.isArray(node)) {
    const items = (node as readonly XmlNode[]).map(prune).filter((item) => item !== undefined);
    return items.length === 0 ? undefined : items;
  }
  const entries = Object.entries(node as XmlElement)
    .map(([name, child]) => [name, prune(child)] as const)
    .filter(([, child]) => child !== undefined);
  return entries.length === 0 ? undefined : Object.fromEntries(entries);
}

/** A text element with attributes, e.g. `text('4012345000009', { schemeID: '0088' })`. */
export function text(value: string | undefined, attributes: Readonly<Record<string, string>> = {}): XmlElement | undefined {
  if (value === undefined) return undefined;
  return { ...Object.fromEntries(Object.entries(attributes).map(([name, attribute]) => [`@${name}`, attribute])), '#': value };
}
