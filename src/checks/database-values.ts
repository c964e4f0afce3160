import { defineModule } from '../core/module.js';

// Placeholder: filled in by its own piece of work; registered already so the registry stays stable.
export const databaseValues = defineModule({
  id: 'database-values',
  title: 'Database Helm settings (Aurora PostgreSQL via IAM)',
  codes: [],
  async run() {},
});
