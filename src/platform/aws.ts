/**
 * The AWS port moved to src/ports/aws.ts (docs/ARCHITECTURE.md, "Rooms"); this
 * re-export keeps older import paths working. New code imports from src/ports/.
 */
export * from '../ports/aws.js';
