/**
 * How irsa-check talks to the Kubernetes API server, under client-node's generated clients:
 * - an HttpLibrary whose every request has one deadline over connect, TLS, first byte and
 *   body (http-timeouts.ts), and that tells a reset from a silence;
 * - a kubeconfig exec credential plugin (`aws eks get-token`, …) run once per run and
 *   shared by the concurrent requests, bounded by the request timeout and killed with
 *   its whole process group when it does not answer: client-node's ExecAuth starts one
 *   plugin per request, caches nothing without an expirationTimestamp, and waits forever.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as k8s from '@kubernetes/client-node';
import { timedRequest, seconds } from './http-timeouts.js';

/** client-node's HttpLibrary over timedRequest: one deadline per request, body included. */
export function timedHttpLibrary(timeoutMs: number): k8s.HttpLibrary {
  return k8s.wrapHttpLibrary({
    async send(ctx: k8s.RequestContext): Promise<k8s.ResponseContext> {
      const body = ctx.getBody();
      const answer = await timedRequest(new URL(ctx.getUrl()), {
        method: ctx.getHttpMethod().toString(),
        headers: ctx.getHeaders(),
        ...(body !== undefined ? { body: typeof body === 'string' ? body : String(body) } : {}),
        agent: ctx.getAgent(),
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
    this.pending ??= this.run(execConfigOf(user) ?? {}).finally(() => (this.pending = undefined));
    return this.pending;
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
