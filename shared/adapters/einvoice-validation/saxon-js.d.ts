/** The part of saxon-js 2.7 (no bundled types) that the e-invoice validation uses. */
declare module 'saxon-js' {
  interface XPathOptions {
    readonly namespaceContext?: Readonly<Record<string, string>>;
    readonly resultForm?: 'array' | 'default';
  }
  interface SaxonJs {
    transform(
      options: { stylesheetInternal: unknown; sourceText: string; destination: 'document' },
      mode: 'async',
    ): Promise<{ principalResult: Node }>;
    getResource(options: { text: string; type: 'xml' }): Promise<Node>;
    XPath: { evaluate(expression: string, context: Node, options?: XPathOptions): unknown };
  }
  const SaxonJS: SaxonJs;
  export default SaxonJS;
}
