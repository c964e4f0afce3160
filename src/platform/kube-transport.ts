/**
 * How irsa-check talks to the Kubernetes API server, under client-node's generated clients:
 * - an HttpLibrary whose every request has one deadline over connect, TLS, first byte and
 *   body (http-timeouts.ts), and that tells a reset from a silence;
 * - a kubeconfig exec credential plugin (`aws eks get-token`, …) run once per run and
 *   shared by the concurrent requests, bounded by the request timeout and killed with
 *   its whole process group when it does not answer: client-node's ExecAuth starts one
 *   plugin per request, caches nothing without an expirationTimestamp, and waits forever;
 * - one keep-alive agent per run (KeepAliveAgents): client-node builds a new agent for every
 *   request (KubeConfig.applySecurityAuthentication → createAgent), so every request paid its
 *   own TCP connect and TLS handshake, two extra round trips to a distant API server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions as HttpsAgentOptions } from 'node:https';
import * as k8s from '@kubernetes/client-node';
import { timedRequest, seconds } from './http-timeouts.js';

/**
 * An idle kept-alive connection is closed after this long: below the 5 s idle timeout of
 * Node-based servers and proxies (http.Server keepAliveTimeout), so a request is not sent on a
 * connection the server is closing (kube-apiserver itself keeps idle connections for 90 s).
 */
const IDLE_SOCKET_MS = 4_000;

/** The agent options that tell two of client-node's per-request agents apart (TLS identity). */
const IDENTITY_KEYS = [
  'ca',
  'cert',
  'key',
  'pfx',
  'passphrase',
  'rejectUnauthorized',
  'servername',
] as const satisfies ReadonlyArray<keyof HttpsAgentOptions>;

/**
 * One keep-alive agent per run and TLS identity, in the place of the fresh agent client-node
 * makes for each request: the run's requests share connections. An agent whose TLS options
 * differ (a renewed exec-plugin client certificate) gets its own. Proxy agents (a kubeconfig
 * proxy-url: hpagent, socks) are used as client-node made them.
 */
export class KeepAliveAgents {
  private readonly agents = new Map<string, HttpAgent>();

  /** The shared agent standing for `given`; `given` itself when it is not a plain Node agent. */
  for(given: HttpAgent | HttpsAgent | undefined): HttpAgent | HttpsAgent | undefined {
    if (given === undefined) return undefined;
    const secure = given.constructor === HttpsAgent;
    if (!secure && given.constructor !== HttpAgent) return given;
    const options = (given as unknown as { options: HttpsAgentOptions }).options ?? {};
    const identity = IDENTITY_KEYS.map((k) => {
      const v = options[k];
      return Buffer.isBuffer(v) ? v.toString('base64') : v;
    });
    const key = JSON.stringify([secure, identity]);
    let agent = this.agents.get(key);
    if (!agent) {
      const shared = { ...options, keepAlive: true, timeout: IDLE_SOCKET_MS };
      agent = secure ? new HttpsAgent(shared) : new HttpAgent(shared);
      this.agents.set(key, agent);
    }
    return agent;
  }

  /** Closes the idle connections (they do not keep the process alive either way: Node unrefs them). */
  destroy(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }
}

/**
 * client-node's HttpLibrary over timedRequest: one deadline per request, body included, over
 * the run's shared keep-alive connections (`agents`).
 */
export function timedHttpLibrary(timeoutMs: number, agents?: KeepAliveAgents): k8s.HttpLibrary {
  return k8s.wrapHttpLibrary({
    async send(ctx: k8s.RequestContext): Promise<k8s.ResponseContext> {
      const body = ctx.getBody();
      const given = ctx.getAgent();
      const agent = agents ? agents.for(given) : given;
      const answer = await timedRequest(new URL(ctx.getUrl()), {
        method: ctx.getHttpMethod().toString(),
        headers: ctx.getHeaders(),
        ...(body !== undefined ? { body: typeof body === 'string' ? body : String(body) } : {}),
        ...(agent ? { agent } : {}),
        timeoutMs,
        signal: ctx.getSignal(),
      });
      return new k8s.ResponseContext(answer.status, answer.headers, {
        text: async () => answer.body.toString('utf8'),
        binary: async () => answer.body,
      });
    },
  });
}

/** The kubeconfig's exec plugin failed, did not answer, or answered no credential. */
export class ExecPluginError extends Error {
  override name = 'ExecPluginError';
  constructor(
    readonly command: string,
    message: string,
    readonly timedOut = false,
  ) {
    super(message);
  }
}

interface ExecConfig {
  command?: string;
  args?: string[];
  env?: Array<{ name: string; value: string }>;
  apiVersion?: string;
}

interface ExecCredential {
  status?: {
    token?: string;
    clientCertificateData?: string;
    clientKeyData?: string;
    expirationTimestamp?: string;
  };
}

/** A credential is reused until a minute before it expires (client-go refreshes it then too). */
const EXPIRY_MARGIN_MS = 60_000;
/** Process groups of plugins still running, killed if irsa-check exits first. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function killGroup(child: ChildProcess): void {
  running.delete(child);
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL'); // the plugin and whatever it started (aws → python)
  } catch {
    child.kill('SIGKILL');
  }
}

function execConfigOf(user: k8s.User): ExecConfig | undefined {
  const u = user as { exec?: ExecConfig; authProvider?: { name?: string; config?: { exec?: ExecConfig } } };
  return u.exec ?? u.authProvider?.config?.exec;
}

function firstLine(text: string): string {
  return (text.trim().split('\n')[0] ?? '').slice(0, 300);
}

/**
 * Replaces client-node's ExecAuth (an Authenticator, see KubeConfig.authenticators): the
 * plugin runs once at a time, its credential is kept for the run, and a plugin that does
 * not answer within the request timeout is killed.
 */
export class ExecCredentialPlugin {
  private cached?: { credential: ExecCredential; expiresAt?: number };
  private pending?: Promise<ExecCredential>;

  constructor(private readonly timeoutMs: number) {}

  isAuthProvider(user: k8s.User): boolean {
    return execConfigOf(user) !== undefined;
  }

  async applyAuthentication(
    user: k8s.User,
    opts: { cert?: unknown; key?: unknown; headers?: Record<string, string> },
  ): Promise<void> {
    const status = (await this.credential(user)).status ?? {};
    if (status.clientCertificateData) opts.cert = status.clientCertificateData;
    if (status.clientKeyData) opts.key = status.clientKeyData;
    if (status.token) {
      opts.headers ??= {};
      opts.headers.Authorization = `Bearer ${status.token}`;
    }
  }

  private credential(user: k8s.User): Promise<ExecCredential> {
    const c = this.cached;
    if (c && (c.expiresAt === undefined || c.expiresAt - EXPIRY_MARGIN_MS > Date.now())) {
      return Promise.resolve(c.credential);
    }
    // The early run failed before any request asked: that failure is every request's answer
    // (the run stops at it, exit 3; running a failing plugin again, e.g. for an expired SSO
    // session, would fail again, and the requests that come at once must not each run it).
    if (this.warmFailure) return this.warmFailure;
    this.earlyAnswered = true;
    this.pending ??= this.run(execConfigOf(user) ?? {}).finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** The early run's failure when no request was waiting for it (see `warm`). */
  private warmFailure?: Promise<ExecCredential>;
  /** A request has asked since the early run started: it saw the early run's answer. */
  private earlyAnswered = false;

  /**
   * Runs the plugin now, before the first request needs it: the plugin (`aws eks get-token` is a
   * Python start-up, ~0.7 s of CPU) then works on another core while irsa-check loads its check
   * modules, instead of delaying every Kubernetes call after them. Still once per run.
   */
  warm(user: k8s.User | null): void {
    if (!user || !this.isAuthProvider(user)) return;
    const early = this.credential(user);
    this.earlyAnswered = false;
    early.catch(() => {
      if (!this.earlyAnswered) this.warmFailure = early;
    });
  }

  private run(exec: ExecConfig): Promise<ExecCredential> {
    const command = exec.command;
    if (!command)
      return Promise.reject(new ExecPluginError('', "the kubeconfig's exec plugin names no command"));
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const e of exec.env ?? []) env[e.name] = e.value;
    // What client-go passes: the plugin may not prompt (irsa-check reads no terminal input).
    env.KUBERNETES_EXEC_INFO = JSON.stringify({
      kind: 'ExecCredential',
      apiVersion: exec.apiVersion ?? 'client.authentication.k8s.io/v1beta1',
      spec: { interactive: false },
    });
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.once('exit', () => [...running].forEach(killGroup));
    }
    return new Promise((resolve, reject) => {
      // Its own process group, so a timeout kills the plugin and its children together.
      const child = spawn(command, exec.args ?? [], {
        env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      running.add(child);
      let stdout = '';
      let stderr = '';
      let spawnError: (Error & { code?: string }) | undefined;
      child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const timer = setTimeout(() => {
        killGroup(child);
        reject(
          new ExecPluginError(
            command,
            `the kubeconfig's exec plugin ${command} did not answer within ${seconds(this.timeoutMs)}; irsa-check stopped it`,
            true,
          ),
        );
      }, this.timeoutMs);
      child.on('error', (e) => (spawnError = e));
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        running.delete(child);
        if (spawnError) {
          const why =
            spawnError.code === 'ENOENT'
              ? 'was not found (not on the PATH)'
              : `could not start (${spawnError.code ?? spawnError.message})`;
          return reject(new ExecPluginError(command, `the kubeconfig's exec plugin ${command} ${why}`));
        }
        if (code !== 0) {
          const said = firstLine(stderr) || firstLine(stdout);
          const how = code === null ? `was killed (${signal})` : `failed (exit code ${code})`;
          return reject(
            new ExecPluginError(
              command,
              `the kubeconfig's exec plugin ${command} ${how}${said ? `: ${said}` : ''}`,
            ),
          );
        }
        let credential: ExecCredential;
        try {
          credential = JSON.parse(stdout) as ExecCredential;
        } catch {
          return reject(
            new ExecPluginError(
              command,
              `the kubeconfig's exec plugin ${command} printed no ExecCredential JSON`,
            ),
          );
        }
        const status = credential?.status;
        if (!status || (!status.token && !status.clientCertificateData)) {
          return reject(
            new ExecPluginError(
              command,
              `the kubeconfig's exec plugin ${command} printed an ExecCredential without a token or client certificate`,
            ),
          );
        }
        const expiresAt = status.expirationTimestamp ? Date.parse(status.expirationTimestamp) : undefined;
        this.cached = {
          credential,
          ...(expiresAt !== undefined && !Number.isNaN(expiresAt) ? { expiresAt } : {}),
        };
        resolve(credential);
      });
    });
  }
}

/** Puts `plugin` in the place of client-node's ExecAuth in `kc`. */
export function useExecPlugin(kc: k8s.KubeConfig, plugin: ExecCredentialPlugin): void {
  const holder = kc as unknown as { authenticators: Array<{ isAuthProvider(u: k8s.User): boolean }> };
  // ExecAuth is not exported: it is the first authenticator that claims an exec user.
  const probe = { name: 'probe', exec: { command: 'probe' } } as unknown as k8s.User;
  const i = holder.authenticators.findIndex((a) => a.isAuthProvider(probe));
  if (i >= 0) holder.authenticators[i] = plugin;
  else holder.authenticators.unshift(plugin);
}
