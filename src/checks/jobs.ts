import { defineModule } from '../core/module.js';

// Placeholder: filled in by its own piece of work; registered already so the registry stays stable.
export const jobs = defineModule({
  id: 'jobs',
  title: 'Verification Jobs (in-pod identity and connectivity)',
  codes: [],
  async run() {},
});
