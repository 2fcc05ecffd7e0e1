export const ROLES = ['admin', 'specialist', 'supervisor', 'leadership', 'operator'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

/** Who may listen to recordings (leadership sees aggregates only; operators only their own calls). */
export const AUDIO_ROLES: readonly Role[] = ['admin', 'specialist', 'supervisor'];
/** Who sees caller numbers unmasked. */
export const CALLER_NUMBER_ROLES: readonly Role[] = ['admin', 'specialist', 'supervisor'];

export function maskCallerNumber(number: string | null | undefined, role: Role): string {
  if (!number) return '';
  if (CALLER_NUMBER_ROLES.includes(role)) return number;
  return maskAlways(number);
}

export function maskAlways(number: string): string {
  const digits = number.replace(/\s/g, '');
  if (digits.length <= 4) return '•'.repeat(digits.length);
  return digits.slice(0, 4) + '•'.repeat(Math.max(0, digits.length - 6)) + digits.slice(-2);
}
