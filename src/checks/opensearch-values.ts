import { defineModule } from '../core/module.js';

// Placeholder: filled in by its own piece of work; registered already so the registry stays stable.
export const openSearchValues = defineModule({
  id: 'opensearch-values',
  title: 'OpenSearch Helm settings',
  codes: [],
  async run() {},
});
