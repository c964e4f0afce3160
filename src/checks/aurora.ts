import { defineModule } from '../core/module.js';

// Placeholder: filled in by its own piece of work; registered already so the registry stays stable.
export const aurora = defineModule({
  id: 'aurora',
  title: 'Aurora PostgreSQL cluster',
  codes: [],
  async run() {},
});
