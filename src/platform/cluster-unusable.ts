/** The classification lives in core (Reporter.unexpected applies it to every module's error). */
export { clusterUnusable } from '../core/cluster-unusable.js';
