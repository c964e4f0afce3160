/**
 * The setup of the test files that drive the real LiveAws against moto: one moto
 * seeded with the healthy 8.8 world for the whole file, the SDK pointed at it the
 * way users point it elsewhere (AWS_ENDPOINT_URL… in the process env), none of the
 * developer's own AWS_PROFILE or session token, and the fault proxy reset before
 * every test, so planted faults and request counts never leak from one to the next.
 */
import { afterAll, beforeAll, beforeEach, vi } from 'vitest';
import { LiveAws } from '../../src/platform/live-aws.js';
import { seedMoto, type SeededMoto } from './moto.js';
import { loadWorld } from './world.js';

/** The healthy world's region. */
export const REGION = 'eu-west-1';

export interface LiveAwsMoto {
  /** The seeded moto: set in beforeAll, so read it inside tests and hooks. */
  readonly seeded: SeededMoto;
  /** A fresh LiveAws: adaptive retry keeps per-client state, tests must not share it. */
  live(): LiveAws;
}

/** Call once at the top level of a test file: registers the hooks above. */
export function liveAwsAgainstMoto(): LiveAwsMoto {
  let seeded: SeededMoto | undefined;
  beforeAll(async () => {
    seeded = await seedMoto(loadWorld('camunda-8.8-healthy.yaml'));
    for (const [k, v] of Object.entries(seeded.env)) vi.stubEnv(k, v);
    vi.stubEnv('AWS_PROFILE', undefined);
    vi.stubEnv('AWS_SESSION_TOKEN', undefined);
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await seeded?.close();
  });
  beforeEach(() => seeded!.proxy.reset());
  return {
    get seeded(): SeededMoto {
      if (!seeded) throw new Error('moto is seeded in beforeAll: read `seeded` inside a test or hook');
      return seeded;
    },
    live: () => new LiveAws({ region: REGION }),
  };
}
