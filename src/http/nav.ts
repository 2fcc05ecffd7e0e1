import type { NavItem } from '../app-context';
import type { Role } from '../auth/roles';

export function navFor(items: NavItem[], role: Role | undefined): NavItem[] {
  if (!role) return [];
  return items.filter((i) => i.roles.includes(role)).sort((a, b) => a.order - b.order);
}
