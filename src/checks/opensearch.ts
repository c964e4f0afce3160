import { defineModule } from '../core/module.js';

// Placeholder: filled in by its own piece of work; registered already so the registry stays stable.
export const openSearch = defineModule({
  id: 'opensearch',
  title: 'Amazon OpenSearch domain',
  codes: [],
  async run() {},
});
