/**
 * How a role mapping gives its OpenSearch role to the authenticated principal, from the mapping as
 * `GET _plugins/_security/api/rolesmapping/<role>` answers it (OpenSearch docs, Security APIs, "Get
 * Role Mappings API": users, backend_roles, and_backend_roles, hosts; users and backend roles may be
 * wildcard patterns).
 */
import { describe, expect, it } from 'vitest';
import {
  howMapped,
  parseRoleMapping,
  type RoleMapping,
} from '../../src/proofs/data-plane/opensearch-permissions.js';

const ROLE = 'arn:aws:iam::123456789012:role/camunda-optimize-irsa';
const m = (over: Partial<RoleMapping>): RoleMapping => ({
  users: [],
  backend_roles: [],
  and_backend_roles: [],
  hosts: [],
  ...over,
});

describe('role mappings', () => {
  it.each<[string, RoleMapping, string | undefined]>([
    ['the IAM role as a backend role', m({ backend_roles: [ROLE] }), 'by backend role'],
    ['the IAM role as a user name', m({ users: [ROLE] }), 'by user name'],
    [
      'a backend-role pattern',
      m({ backend_roles: ['arn:aws:iam::123456789012:role/camunda-*'] }),
      'by the backend-role pattern "arn:aws:iam::123456789012:role/camunda-*", which any matching principal gets too',
    ],
    ['every user', m({ users: ['*'] }), 'by the user pattern "*", which any matching principal gets too'],
    [
      'all of several backend roles',
      m({ and_backend_roles: [ROLE, 'arn:*'] }),
      'by all of its backend roles',
    ],
    ['hosts', m({ hosts: ['10.0.*'] }), 'by hosts 10.0.*, whoever signs'],
    ['another role only', m({ backend_roles: ['arn:aws:iam::123456789012:role/other'] }), undefined],
    ['a regular expression is not judged', m({ users: ['/.*/'] }), undefined],
  ])('%s', (_name, mapping, how) => {
    expect(howMapped(mapping, ROLE, [ROLE])).toBe(how);
  });

  it('parses the API’s answer for one role, and nothing else', () => {
    const body = JSON.stringify({
      all_access: {
        hosts: [],
        users: [],
        reserved: false,
        hidden: false,
        backend_roles: [ROLE],
        and_backend_roles: [],
      },
    });
    expect(parseRoleMapping('all_access', body)).toEqual(m({ backend_roles: [ROLE] }));
    expect(parseRoleMapping('readall', body)).toBeUndefined();
    expect(parseRoleMapping('all_access', 'not json')).toBeUndefined();
  });
});
