/**
 * OpenSearch Helm settings: the os components must talk to Amazon OpenSearch with AWS
 * request signing (SigV4, the credentials IRSA provides), and the endpoint must be known.
 * Which keys decide that per chart version is `openSearchSettings`' business (chart.ts):
 * up to 8.8 the global switches, from 8.9 each component's own keys OR the global ones.
 * This module turns what it answers into findings, one line per key to change.
 *
 * A pure evaluator over the snapshot src/collectors/opensearch-values.ts gathers: the same code
 * judges a live release, a replayed bundle and a values file (issue 16).
 */
import { hasPlaceholder, skipUnrendered } from '../helm/placeholders.js';
import { defineModule } from '../engine/module.js';
import { collectOpenSearchValues } from '../collectors/opensearch-values.js';
import type { Reporter } from '../core/reporter.js';
import type { Values } from '../helm/values.js';
import { describeValue } from '../helm/describe.js';
import {
  componentEnabled,
  openSearchSettings,
  type OpenSearchComponent,
  type OpenSearchSettings,
  unsignedWebapps,
  type ChartProfile,
} from '../helm/chart.js';

const CHECKS = {
  'os-aws-signing': {
    severity: 'FAIL',
    code: 51,
    title: 'the chart is not set to use Amazon OpenSearch with AWS request signing',
    fix: 'Set global.elasticsearch.enabled: false, global.opensearch.enabled: true and global.opensearch.aws.enabled: true (8.9+: the component keys).',
  },
  'os-webapps-signing': {
    severity: 'FAIL',
    code: 51,
    title:
      '8.9+: orchestration signs its OpenSearch requests, but Operate and Tasklist do not (global.opensearch.enabled is off)',
    fix: 'Set global.opensearch.enabled: true (the chart renders Operate’s and Tasklist’s awsEnabled only then).',
  },
  'os-host': {
    severity: 'FAIL',
    code: 61,
    title: 'the OpenSearch host is not set',
    fix: 'Set global.opensearch.url.host (8.9+: orchestration.data.secondaryStorage.opensearch.url, optimize.database.opensearch.url.host) to the domain endpoint.',
  },
  'os-port': {
    severity: 'WARN',
    title: 'the OpenSearch port is not 443, the port Amazon OpenSearch Service listens on',
    fix: 'Set the OpenSearch port to 443 (or leave it unset).',
  },
  'os-hosts-differ': {
    severity: 'WARN',
    title: 'the os components use different OpenSearch hosts: the domain checks follow one of them',
    fix: 'Point every os component at the same OpenSearch domain endpoint.',
  },
} as const;
type Id = keyof typeof CHECKS;

/** Amazon OpenSearch Service answers HTTPS on 443 only. */
const AWS_OPENSEARCH_PORT = 443;

/** One key to change, and what to set it to. */
interface Change {
  key: string;
  to: string;
  why: string;
}

interface Verdict {
  /** Set when the component uses no OpenSearch at all (rdbms / no secondary storage): nothing to check. */
  skip?: string;
  changes: Change[];
  /** The keys that made it right, for the OK line. */
  evidence: string[];
}

const isTrue = (values: Values, key: string) => values.bool(key) === true;

/** Reads the verdict of chart.ts's per-component settings as keys to change. */
function judge(c: OpenSearchComponent, values: Values): Verdict {
  if (c.storage === 'rdbms' || c.storage === 'none') {
    return {
      skip: c.storage === 'rdbms' ? 'RDBMS secondary storage' : 'no secondary storage',
      changes: [],
      evidence: [],
    };
  }
  if (c.elasticsearchAws) {
    // 8.9+: an AWS-signed Elasticsearch-compatible domain (Amazon OpenSearch Service) is fine for IRSA.
    const [typeKey, awsKey] = c.keys;
    return { changes: [], evidence: [`${typeKey}=elasticsearch`, `${awsKey}=true`] };
  }
  const typeKey = c.keys.find((k) => k.endsWith('.type'));
  const type = typeKey ? values.string(typeKey) : undefined;
  const esKeys = c.keys.filter((k) => k.endsWith('elasticsearch.enabled'));
  const osKeys = c.keys.filter((k) => k.endsWith('opensearch.enabled'));
  const awsKey = c.keys.find((k) => k.endsWith('opensearch.aws.enabled'));
  const changes: Change[] = [];
  const evidence: string[] = [];

  if (typeKey && type !== undefined && type !== 'opensearch') {
    changes.push({ key: typeKey, to: 'opensearch', why: 'IRSA works with Amazon OpenSearch only' });
  } else if (c.elasticsearchEnabled) {
    for (const key of esKeys.filter((k) => isTrue(values, k))) {
      changes.push({ key, to: 'false', why: 'IRSA works with Amazon OpenSearch only' });
    }
  }
  if (!c.opensearchEnabled && !changes.some((ch) => ch.key === typeKey)) {
    // The component's own switch first (chart.ts lists it first); the storage type where there is one.
    const key = typeKey ?? osKeys[0];
    if (key) changes.push({ key, to: key === typeKey ? 'opensearch' : 'true', why: 'OpenSearch must be on' });
  } else if (c.opensearchEnabled) {
    evidence.push(
      type === 'opensearch' && typeKey
        ? `${typeKey}=opensearch`
        : `${osKeys.find((k) => isTrue(values, k)) ?? osKeys[0]}=true`,
    );
  }
  if (!c.awsEnabled) {
    if (awsKey)
      changes.push({ key: awsKey, to: 'true', why: 'requests must be signed with the IRSA credentials' });
  } else {
    const answered = c.keys
      .filter((k) => k.endsWith('opensearch.aws.enabled'))
      .find((k) => isTrue(values, k));
    if (answered) evidence.push(`${answered}=true`);
  }
  return { changes, evidence };
}

/** The key to put the endpoint in, and an example value for it. */
function hostFix(c: OpenSearchComponent | undefined): string {
  const key =
    c?.keys.find((k) => k.endsWith('.url') || k.endsWith('.url.host')) ?? 'global.opensearch.url.host';
  const example = key.endsWith('.url')
    ? 'https://vpc-<domain>-<id>.<region>.es.amazonaws.com:443'
    : 'vpc-<domain>-<id>.<region>.es.amazonaws.com';
  return `Set ${key} to the domain endpoint, e.g. ${example}.`;
}

interface Group {
  /** Undefined: the settings are global and shared by every os component (charts up to 8.8). */
  component?: string;
  settings: OpenSearchComponent;
}

function reportSwitches(g: Group, values: Values, out: Reporter<Id>): boolean {
  const verdict = judge(g.settings, values);
  const opts = g.component ? { component: g.component } : {};
  if (verdict.skip) {
    out.info(`uses ${verdict.skip}: no OpenSearch settings to check`, opts);
    return false;
  }
  for (const ch of verdict.changes) {
    out.fail('os-aws-signing', `${ch.key} is ${describeValue(values, ch.key)}: ${ch.why}`, {
      ...opts,
      fix: `Set ${ch.key}: ${ch.to}`,
    });
  }
  if (verdict.changes.length === 0) {
    out.ok(
      'os-aws-signing',
      `Amazon OpenSearch with AWS request signing (${verdict.evidence.join(', ')})`,
      opts,
    );
  }
  return true;
}

/** 8.9+: Operate and Tasklist inside orchestration sign only when global.opensearch.enabled is on. */
function reportWebapps(profile: ChartProfile, values: Values, out: Reporter<Id>): void {
  const unsigned = unsignedWebapps(profile, values);
  if (!unsigned) return;
  const names = unsigned.webapps.map((w) => w[0]!.toUpperCase() + w.slice(1)).join(' and ');
  out.fail(
    'os-webapps-signing',
    `${unsigned.awsKey} is true but global.opensearch.enabled is ${describeValue(values, 'global.opensearch.enabled')}: the chart renders AWS request signing for ${names} only when global.opensearch.enabled is true, so Amazon OpenSearch rejects their requests (401/403)`,
    { component: 'orchestration', fix: 'Set global.opensearch.enabled: true' },
  );
}

/** Where the domain checks look: the settings' endpoint when a checked component uses it, else the first one found. */
function pickEndpoint(
  settings: OpenSearchSettings,
  used: Group[],
): { host: string; port: number } | undefined {
  const hosts = used.filter((g) => g.settings.host);
  const shared = hosts.find((g) => g.settings.host === settings.host);
  if (shared && settings.host) return { host: settings.host, port: shared.settings.port ?? settings.port };
  const first = hosts[0]?.settings;
  return first?.host ? { host: first.host, port: first.port ?? AWS_OPENSEARCH_PORT } : undefined;
}

export const openSearchValues = defineModule({
  id: 'opensearch-values',
  title: 'OpenSearch Helm settings',
  needs: ['profile', 'values', 'osList'],
  provides: ['openSearch'],
  checks: CHECKS,
  collect: collectOpenSearchValues,
  evaluate(input, reporter, facts) {
    const out = skipUnrendered(reporter, input.valuesMode);
    const { osList, profile, values } = input;
    // Nothing failed when no OpenSearch component is checked: the domain checks are not wanted.
    if (osList.length === 0) return facts.notApplicable('openSearch');

    const enabled = osList.filter((key) => {
      if (componentEnabled(profile, values, key)) return true;
      out.info('disabled: its OpenSearch settings are not checked', { component: key });
      return false;
    });
    if (enabled.length === 0) return facts.notApplicable('openSearch');

    const settings = openSearchSettings(profile, values, enabled);
    const perComponent = enabled.map((key) => ({ component: key, settings: settings.perComponent[key]! }));
    // Global keys only (up to 8.8): one verdict for all components, reported once.
    const global = perComponent.every((g) => g.settings.keys.every((k) => k.startsWith('global.')));
    const groups: Group[] = global ? [{ settings: perComponent[0]!.settings }] : perComponent;

    const used = groups.filter((g) => {
      const uses = reportSwitches(g, values, out);
      if (uses && g.component === 'orchestration') reportWebapps(profile, values, out);
      return uses;
    });
    if (used.length === 0) return;

    for (const g of used) {
      const opts = g.component ? { component: g.component } : {};
      const { host, port = AWS_OPENSEARCH_PORT, hostKey } = g.settings;
      if (!host) {
        out.fail('os-host', 'the OpenSearch host is not set', { ...opts, fix: hostFix(g.settings) });
        continue;
      }
      out.ok('os-host', `OpenSearch endpoint ${host}:${port} (${hostKey ?? 'values'})`, opts);
      if (port !== AWS_OPENSEARCH_PORT) {
        out.warn(
          'os-port',
          `OpenSearch port ${port}: Amazon OpenSearch Service listens on ${AWS_OPENSEARCH_PORT}`,
          opts,
        );
      }
    }

    // From 8.9 the components can point at different domains; the domain checks follow one.
    const hosts = [...new Set(used.map((g) => g.settings.host).filter((h): h is string => !!h))];
    const endpoint = pickEndpoint(settings, used);
    if (hosts.length > 1 && endpoint) {
      out.warn(
        'os-hosts-differ',
        `the os components use different OpenSearch hosts (${hosts.join(', ')}): the domain checks follow ${endpoint.host}`,
      );
    }
    // An unrendered host (`${OPENSEARCH_HOST}`) names no domain to look up.
    if (endpoint && !hasPlaceholder(endpoint.host)) facts.provide('openSearch', endpoint);
  },
});
