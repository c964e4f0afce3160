/** The chart knowledge, by topic, lives in ./chart/; this is its entry point. */
export * from './chart/index.js';
