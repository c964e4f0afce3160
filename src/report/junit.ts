/**
 * JUnit XML for CI: one testcase per check (catalogue ID) and component, named
 * `<check-id> <component>`; a check's FAILs become its testcase's failures
 * (message and fix), its WARNs and other lines its system-out. Context lines
 * without a check ID are grouped per module and component.
 */
import type { Finding } from '../core/finding.js';
import { escapeControl, xmlAttr, xmlText } from './escape.js';

interface Case {
  module: string;
  name: string;
  findings: Finding[];
}

function groupCases(findings: readonly Finding[]): Case[] {
  const cases = new Map<string, Case>();
  for (const f of findings) {
    const what = f.check ?? f.module;
    const scope = [f.release, f.component].filter((s) => s !== undefined).join(' ');
    const name = scope ? `${what} ${scope}` : what;
    let c = cases.get(name);
    if (!c) cases.set(name, (c = { module: f.module, name, findings: [] }));
    c.findings.push(f);
  }
  return [...cases.values()];
}

export function junitReport(findings: readonly Finding[], suiteName: string): string {
  const cases = groupCases(findings);
  const failures = cases.filter((c) => c.findings.some((f) => f.level === 'FAIL')).length;
  const body = cases.map((c) => {
    const fails = c.findings.filter((f) => f.level === 'FAIL');
    // One line per finding: a line break inside a message is shown (\x0a), never a fake finding line.
    const out = c.findings.map((f) => `[${f.level}] ${escapeControl(f.message)}`).join('\n');
    const failureXml = fails
      .map(
        (f) =>
          `      <failure message="${xmlAttr(escapeControl(f.message))}" type="${xmlAttr(f.check ?? '')} (exit code ${f.code ?? ''})">${xmlText(`${escapeControl(f.message)}${f.fix ? `\nfix: ${escapeControl(f.fix)}` : ''}`)}</failure>`,
      )
      .join('\n');
    return [
      `    <testcase classname="irsa-check.${xmlAttr(c.module)}" name="${xmlAttr(escapeControl(c.name))}">`,
      ...(failureXml ? [failureXml] : []),
      `      <system-out>${xmlText(out)}</system-out>`,
      '    </testcase>',
    ].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="irsa-check" tests="${cases.length}" failures="${failures}">`,
    `  <testsuite name="${xmlAttr(escapeControl(suiteName))}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0">`,
    ...body,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
