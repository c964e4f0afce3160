/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * A small model of the PodSecurity admission plugin (pod-security.kubernetes.io),
 * enough to reject pods the way a namespace labelled `enforce: restricted` does.
 *
 * Messages follow k8s.io/pod-security-admission: one "<title> (<detail>)" per failed
 * check, checks ordered by their ID, joined with ", ", prefixed with
 * `violates PodSecurity "<level>:latest": `.
 */

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

interface Container {
  name: string;
  securityContext?: any;
  ports?: Array<{ hostPort?: number }>;
}

const BASELINE_CAPS = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);
const RESTRICTED_VOLUME_TYPES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

function quoteList(noun: string, names: string[]): string {
  const quoted = names.map((n) => JSON.stringify(n)).join(', ');
  return `${names.length === 1 ? noun : noun + 's'} ${quoted}`;
}

function allContainers(spec: any): Container[] {
  return [...((spec?.initContainers as Container[]) ?? []), ...((spec?.containers as Container[]) ?? [])];
}

type Check = { id: string; level: 'baseline' | 'restricted'; run: (spec: any) => string | undefined };

const CHECKS: Check[] = [
  {
    id: 'allowPrivilegeEscalation',
    level: 'restricted',
    run(spec) {
      const bad = allContainers(spec)
        .filter((c) => c.securityContext?.allowPrivilegeEscalation !== false)
        .map((c) => c.name);
      return bad.length
        ? `allowPrivilegeEscalation != false (${quoteList('container', bad)} must set securityContext.allowPrivilegeEscalation=false)`
        : undefined;
    },
  },
  {
    id: 'capabilities_baseline',
    level: 'baseline',
    run(spec) {
      const bad: string[] = [];
      const caps = new Set<string>();
      for (const c of allContainers(spec)) {
        const add: string[] = c.securityContext?.capabilities?.add ?? [];
        const extra = add.filter((cap) => !BASELINE_CAPS.has(cap));
        if (extra.length) {
          bad.push(c.name);
          extra.forEach((cap) => caps.add(cap));
        }
      }
      return bad.length
        ? `non-default capabilities (${quoteList('container', bad)} must not include ${[...caps].map((c) => JSON.stringify(c)).join(', ')} in securityContext.capabilities.add)`
        : undefined;
    },
  },
  {
    id: 'capabilities_restricted',
    level: 'restricted',
    run(spec) {
      const noDrop: string[] = [];
      const badAdd: string[] = [];
      const caps = new Set<string>();
      for (const c of allContainers(spec)) {
        const drop: string[] = c.securityContext?.capabilities?.drop ?? [];
        if (!drop.includes('ALL')) noDrop.push(c.name);
        const add: string[] = c.securityContext?.capabilities?.add ?? [];
        const extra = add.filter((cap) => cap !== 'NET_BIND_SERVICE');
        if (extra.length) {
          badAdd.push(c.name);
          extra.forEach((cap) => caps.add(cap));
        }
      }
      const parts: string[] = [];
      if (noDrop.length)
        parts.push(`${quoteList('container', noDrop)} must set securityContext.capabilities.drop=["ALL"]`);
      if (badAdd.length)
        parts.push(
          `${quoteList('container', badAdd)} must not include ${[...caps].map((c) => JSON.stringify(c)).join(', ')} in securityContext.capabilities.add`,
        );
      return parts.length ? `unrestricted capabilities (${parts.join('; ')})` : undefined;
    },
  },
  {
    id: 'hostNamespaces',
    level: 'baseline',
    run(spec) {
      const set = ['hostNetwork', 'hostPID', 'hostIPC'].filter((k) => spec?.[k] === true);
      return set.length ? `host namespaces (${set.map((k) => `${k}=true`).join(', ')})` : undefined;
    },
  },
  {
    id: 'hostPathVolumes',
    level: 'baseline',
    run(spec) {
      const bad = ((spec?.volumes as any[]) ?? []).filter((v) => v.hostPath).map((v) => String(v.name));
      return bad.length ? `hostPath volumes (${quoteList('volume', bad)})` : undefined;
    },
  },
  {
    id: 'hostPorts',
    level: 'baseline',
    run(spec) {
      const bad: string[] = [];
      const ports: number[] = [];
      for (const c of allContainers(spec)) {
        const hp = (c.ports ?? []).map((p) => p.hostPort ?? 0).filter((p) => p !== 0);
        if (hp.length) {
          bad.push(c.name);
          ports.push(...hp);
        }
      }
      return bad.length
        ? `hostPort (${quoteList('container', bad)} ${bad.length === 1 ? 'uses' : 'use'} ${ports.length === 1 ? 'hostPort' : 'hostPorts'} ${ports.join(', ')})`
        : undefined;
    },
  },
  {
    id: 'privileged',
    level: 'baseline',
    run(spec) {
      const bad = allContainers(spec)
        .filter((c) => c.securityContext?.privileged === true)
        .map((c) => c.name);
      return bad.length
        ? `privileged (${quoteList('container', bad)} must not set securityContext.privileged=true)`
        : undefined;
    },
  },
  {
    id: 'restrictedVolumes',
    level: 'restricted',
    run(spec) {
      const parts: string[] = [];
      for (const v of (spec?.volumes as any[]) ?? []) {
        const type = Object.keys(v).find((k) => k !== 'name');
        if (type && !RESTRICTED_VOLUME_TYPES.has(type))
          parts.push(`volume ${JSON.stringify(v.name)} uses restricted volume type ${JSON.stringify(type)}`);
      }
      return parts.length ? `restricted volume types (${parts.join('; ')})` : undefined;
    },
  },
  {
    id: 'runAsNonRoot',
    level: 'restricted',
    run(spec) {
      const podValue = spec?.securityContext?.runAsNonRoot;
      const parts: string[] = [];
      if (podValue === false) parts.push('pod must not set securityContext.runAsNonRoot=false');
      const explicitFalse: string[] = [];
      const unset: string[] = [];
      for (const c of allContainers(spec)) {
        const v = c.securityContext?.runAsNonRoot;
        if (v === false) explicitFalse.push(c.name);
        else if (v !== true && podValue !== true) unset.push(c.name);
      }
      if (explicitFalse.length)
        parts.push(
          `${quoteList('container', explicitFalse)} must not set securityContext.runAsNonRoot=false`,
        );
      if (unset.length && podValue !== false)
        parts.push(`pod or ${quoteList('container', unset)} must set securityContext.runAsNonRoot=true`);
      return parts.length ? `runAsNonRoot != true (${parts.join('; ')})` : undefined;
    },
  },
  {
    id: 'runAsUser',
    level: 'restricted',
    run(spec) {
      const parts: string[] = [];
      if (spec?.securityContext?.runAsUser === 0) parts.push('pod must not set runAsUser=0');
      const bad = allContainers(spec)
        .filter((c) => c.securityContext?.runAsUser === 0)
        .map((c) => c.name);
      if (bad.length) parts.push(`${quoteList('container', bad)} must not set runAsUser=0`);
      return parts.length ? `runAsUser=0 (${parts.join('; ')})` : undefined;
    },
  },
  {
    id: 'seccompProfile_restricted',
    level: 'restricted',
    run(spec) {
      const ok = (t: unknown) => t === 'RuntimeDefault' || t === 'Localhost';
      const podType = spec?.securityContext?.seccompProfile?.type;
      const parts: string[] = [];
      if (podType !== undefined && !ok(podType))
        parts.push(`pod must not set securityContext.seccompProfile.type to ${JSON.stringify(podType)}`);
      const explicitBad: string[] = [];
      const unset: string[] = [];
      for (const c of allContainers(spec)) {
        const t = c.securityContext?.seccompProfile?.type;
        if (t !== undefined && !ok(t)) explicitBad.push(c.name);
        else if (t === undefined && !ok(podType)) unset.push(c.name);
      }
      if (explicitBad.length)
        parts.push(
          `${quoteList('container', explicitBad)} must not set securityContext.seccompProfile.type to "Unconfined"`,
        );
      if (unset.length && podType === undefined)
        parts.push(
          `pod or ${quoteList('container', unset)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
        );
      return parts.length ? `seccompProfile (${parts.join('; ')})` : undefined;
    },
  },
];

/** The failed checks for a pod spec at a level, formatted as PodSecurity does. */
export function podSecurityViolations(level: PodSecurityLevel, podSpec: unknown): string[] {
  if (level === 'privileged') return [];
  const out: string[] = [];
  for (const check of CHECKS) {
    if (check.level === 'restricted' && level !== 'restricted') continue;
    const msg = check.run(podSpec);
    if (msg) out.push(msg);
  }
  return out;
}

/** `violates PodSecurity "restricted:latest": ...` or undefined when compliant. */
export function podSecurityMessage(level: PodSecurityLevel, podSpec: unknown): string | undefined {
  const v = podSecurityViolations(level, podSpec);
  return v.length ? `violates PodSecurity "${level}:latest": ${v.join(', ')}` : undefined;
}
