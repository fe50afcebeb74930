/** Staff roles, least to most powerful in the back office's terms (admins manage, they do not do casework). */
export const STAFF_ROLES = ['caseworker', 'manager', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const ROLE_LABELS: Record<StaffRole, string> = {
  caseworker: 'Caseworker',
  manager: 'Manager',
  admin: 'Administrator',
};

/** Who works with referrals: caseworkers and managers, for their own offices. */
export const CASEWORK_ROLES: readonly StaffRole[] = ['caseworker', 'manager'];
export const MANAGER_ROLES: readonly StaffRole[] = ['manager'];
export const ADMIN_ROLES: readonly StaffRole[] = ['admin'];
/** Admins see the whole audit trail, managers the entries for their offices. */
export const AUDIT_ROLES: readonly StaffRole[] = ['manager', 'admin'];
export const ALL_ROLES: readonly StaffRole[] = STAFF_ROLES;
