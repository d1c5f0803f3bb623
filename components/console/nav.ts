import type { IconName } from '@/components/ui/icons';

export interface NavItem {
  href: string;
  label: string;
  icon: IconName;
  /** Shown only to admins; the page must still check on the server (requireAdminActor). */
  adminOnly?: boolean;
}

/**
 * The console's navigation, in order. A new feature adds one entry here, e.g.
 * `{ href: '/servers', label: 'Servers', icon: 'server' }` after Dashboard.
 */
export const navItems: NavItem[] = [
  { href: '/', label: 'Dashboard', icon: 'dashboard' },
  { href: '/servers', label: 'Servers', icon: 'server' },
  { href: '/domains', label: 'Domains', icon: 'globe' },
  { href: '/upstreams', label: 'Upstreams', icon: 'layers' },
  { href: '/access-lists', label: 'Access lists', icon: 'key' },
  { href: '/streams', label: 'Streams', icon: 'server' },
  { href: '/templates', label: 'Templates', icon: 'file', adminOnly: true },
  { href: '/certificates', label: 'Certificates', icon: 'shield' },
  { href: '/tasks', label: 'Tasks', icon: 'check' },
  { href: '/alerts', label: 'Alerts', icon: 'alert' },
  { href: '/users', label: 'Users', icon: 'users', adminOnly: true },
  { href: '/audit', label: 'Audit log', icon: 'audit', adminOnly: true },
  { href: '/instances', label: 'Instances', icon: 'layers', adminOnly: true },
  { href: '/settings', label: 'Settings', icon: 'monitor', adminOnly: true },
  { href: '/account', label: 'Account', icon: 'account' },
];

/** The entries a role may see: admin-only ones never reach a user's browser. */
export const navFor = (role: 'admin' | 'user') => navItems.filter((item) => !item.adminOnly || role === 'admin');

/** Is this entry the current page (or a parent of it)? */
export const isCurrent = (href: string, pathname: string) => (href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`));
