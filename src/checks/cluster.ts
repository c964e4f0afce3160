import { defineModule } from '../core/module.js';

// Placeholder: filled in by its own piece of work; registered already so the registry stays stable.
export const cluster = defineModule({
  id: 'cluster',
  title: 'EKS cluster and OIDC provider',
  codes: [],
  async run() {},
});
