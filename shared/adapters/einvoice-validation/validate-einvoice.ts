/**
 * Validates an e-invoice XML the way the official validators do, offline: the syntax's XSD
 * (xmllint-wasm, libxml2 as WebAssembly) and every schematron rule set that applies to it
 * (the CEN EN 16931, KoSIT XRechnung and OpenPeppol BIS 3 rules compiled for saxon-js; see
 * PROVENANCE.md). Which rule sets apply follows from the syntax and the specification
 * identifier (BT-24), as in the validation kit's einvoice-check.mjs.
 *
 * A finding is fatal unless the rule flags it `warning` or `information`. Known false finding:
 * SaxonJS computes BR-DE-19's IBAN check (mod 97 on a 20+ digit xs:integer) with JavaScript
 * numbers, so valid IBANs can get that warning; Java Saxon does not report it. It is a warning,
 * never an error, and is reported as found.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import SaxonJS from 'saxon-js';
import { validateXML } from 'xmllint-wasm';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const SVRL = { namespaceContext: { svrl: 'http://purl.oclc.org/dsdl/svrl' } };

export type RuleSet =
  'EN16931-CII-validation' | 'EN16931-UBL-validation' | 'XRechnung-CII-validation' | 'XRechnung-UBL-validation' | 'PEPPOL-EN16931-UBL';
export type Schema = 'cii-d16b' | 'facturx-1.07.3-en16931' | 'ubl21-invoice' | 'ubl21-creditnote';

const SCHEMAS: Readonly<Record<Schema, { dir: string; main: string }>> = {
  'cii-d16b': { dir: 'cii-d16b', main: 'CrossIndustryInvoice_100pD16B.xsd' },
  'facturx-1.07.3-en16931': { dir: 'facturx-1.07.3-en16931', main: 'Factur-X_1.07.3_EN16931.xsd' },
  'ubl21-invoice': { dir: 'ubl21', main: 'maindoc/UBL-Invoice-2.1.xsd' },
  'ubl21-creditnote': { dir: 'ubl21', main: 'maindoc/UBL-CreditNote-2.1.xsd' },
};

export interface Finding {
  /** The XSD or rule set that reported it. */
  readonly source: string;
  /** Rule id (BR-CO-15, BR-DE-15, PEPPOL-EN16931-R120, ...); `xsd` for schema errors. */
  readonly id: string;
  readonly flag: 'fatal' | 'warning' | 'information';
  /** XPath of the offending element (schematron) or line (XSD). */
  readonly location: string;
  readonly text: string;
}

export interface ValidationReport {
  /** No fatal finding in any step. */
  readonly ok: boolean;
  readonly steps: readonly string[];
  readonly findings: readonly Finding[];
  readonly errors: readonly Finding[];
}

/** What applies to a document: XSDs and rule sets, from its syntax and BT-24. */
export function applicableChecks(xml: string): { schemas: Schema[]; ruleSets: RuleSet[] } {
  const cii = /<([\w-]+:)?CrossIndustryInvoice[\s>]/.test(xml);
  const specification =
    (cii ? /GuidelineSpecifiedDocumentContextParameter>\s*<ram:ID>([^<]*)</.exec(xml) : /<cbc:CustomizationID>([^<]*)</.exec(xml))?.[1] ??
    '';
  const xrechnung = /xrechnung/i.test(specification);
  if (cii) {
    // Factur-X EN 16931 has its own (restricted) XSD; XRechnung CII is plain CII D16B.
    const schemas: Schema[] = specification === 'urn:cen.eu:en16931:2017' ? ['cii-d16b', 'facturx-1.07.3-en16931'] : ['cii-d16b'];
    return { schemas, ruleSets: ['EN16931-CII-validation', ...(xrechnung ? (['XRechnung-CII-validation'] as const) : [])] };
  }
  const peppol = /peppol\.eu:2017:poacc:billing:3\.0/.test(specification);
  return {
    // The same rule sets check both UBL documents; each has its own XSD.
    schemas: [/<([\w-]+:)?CreditNote[\s>]/.test(xml) ? 'ubl21-creditnote' : 'ubl21-invoice'],
    ruleSets: [
      'EN16931-UBL-validation',
      ...(xrechnung ? (['XRechnung-UBL-validation'] as const) : []),
      ...(peppol ? (['PEPPOL-EN16931-UBL'] as const) : []),
    ],
  };
}

export async function validateEInvoice(xml: string): Promise<ValidationReport> {
  const { schemas, ruleSets } = applicableChecks(xml);
  const findings: Finding[] = [];
  for (const schema of schemas) findings.push(...(await validateSchema(schema, xml)));
  for (const ruleSet of ruleSets) findings.push(...(await runSchematron(ruleSet, xml)));
  const errors = findings.filter((finding) => finding.flag === 'fatal');
  return { ok: errors.length === 0, steps: [...schemas.map((schema) => `XSD ${schema}`), ...ruleSets], findings, errors };
}

/** One line per finding, for assertion messages and the CLI. */
export function describeFindings(findings: readonly Finding[]): string {
  return findings.map((finding) => `[${finding.flag}] ${finding.source} ${finding.id} at ${finding.location}: ${finding.text}`).join('\n');
}

export async function validateSchema(schema: Schema, xml: string): Promise<Finding[]> {
  const { dir, main } = SCHEMAS[schema];
  const files = schemaFiles(dir);
  const mainFile = files.find((file) => file.fileName === main);
  if (mainFile === undefined) throw new Error(`${main} is missing from ${join(HERE, 'xsd', dir)}`);
  const result = await validateXML({
    xml: [{ fileName: 'invoice.xml', contents: xml }],
    schema: [mainFile],
    preload: files.filter((file) => file !== mainFile),
    // 256 MiB: the UBL 2.1 aggregate components schema alone is 2.4 MB.
    maxMemoryPages: 4096,
  });
  return result.errors.map((error) => ({
    source: `XSD ${schema}`,
    id: 'xsd',
    flag: 'fatal',
    location: error.loc === null ? 'invoice.xml' : `invoice.xml:${error.loc.lineNumber}`,
    text: error.message,
  }));
}

export async function runSchematron(ruleSet: RuleSet, xml: string): Promise<Finding[]> {
  const result = await SaxonJS.transform({ stylesheetInternal: stylesheet(ruleSet), sourceText: xml, destination: 'document' }, 'async');
  const nodes = SaxonJS.XPath.evaluate('//svrl:failed-assert | //svrl:successful-report', result.principalResult, {
    ...SVRL,
    resultForm: 'array',
  }) as SvrlElement[];
  return nodes.map((node) => ({
    source: ruleSet,
    id: node.getAttribute('id') ?? '(no id)',
    flag: flagOf(node.getAttribute('flag')),
    location: node.getAttribute('location') ?? '',
    text: String(SaxonJS.XPath.evaluate('normalize-space(svrl:text)', node, SVRL)),
  }));
}

/** What is read of an SVRL element (no DOM types in this project's lib). */
interface SvrlElement {
  getAttribute(name: string): string | null;
}

function flagOf(flag: string | null): Finding['flag'] {
  return flag === 'warning' || flag === 'information' ? flag : 'fatal';
}

// The SEFs are 2-7 MB of JSON each: parsed once per process.
const stylesheets = new Map<RuleSet, unknown>();
function stylesheet(ruleSet: RuleSet): unknown {
  let parsed = stylesheets.get(ruleSet);
  if (parsed === undefined) {
    // JSON.parse the SEF here: SaxonJS.getResource({ type: 'json' }) yields an object transform() rejects (SXJS0006).
    parsed = JSON.parse(gunzipSync(readFileSync(join(HERE, 'sef', `${ruleSet}.sef.json.gz`))).toString('utf8')) as unknown;
    stylesheets.set(ruleSet, parsed);
  }
  return parsed;
}

const schemaSets = new Map<string, { fileName: string; contents: string }[]>();
function schemaFiles(dir: string): { fileName: string; contents: string }[] {
  let files = schemaSets.get(dir);
  if (files === undefined) {
    const root = join(HERE, 'xsd', dir);
    files = listXsd(root).map((path) => ({ fileName: relative(root, path), contents: readFileSync(path, 'utf8') }));
    schemaSets.set(dir, files);
  }
  return files;
}

function listXsd(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listXsd(join(dir, entry.name)) : entry.name.endsWith('.xsd') ? [join(dir, entry.name)] : [],
  );
}
