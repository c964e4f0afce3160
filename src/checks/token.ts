import { defineModule } from '../core/module.js';

// Placeholder: filled in by its own piece of work; registered already so the registry stays stable.
export const token = defineModule({
  id: 'token',
  title: 'Pod-less proof of the trust chain',
  codes: [],
  async run() {},
});
