import { defineModule } from '../core/module.js';

// Placeholder: filled in by its own piece of work; registered already so the registry stays stable.
export const roles = defineModule({
  id: 'roles',
  title: 'IAM roles, trust and permission policies',
  codes: [],
  async run() {},
});
