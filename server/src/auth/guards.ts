import type { Access } from '@hub/protocol';
import { AppError } from '../http/errors.ts';
import type { Actor } from './actor.ts';

/**
 * The one server-side rule for who may do what. `approved_member` is the guard every publishing and
 * negotiating action uses: only members of an approved organisation pass.
 */
export function authorize(access: Access, actor: Actor | null): void {
  if (access === 'public') return;
  if (!actor) throw new AppError('unauthenticated', 'Sign in first.');
  if (access === 'user') return;
  if (access === 'member' || access === 'approved_member') {
    if (!actor.organizationId) throw new AppError('forbidden', 'Only members of an organisation can do this.');
    if (access === 'approved_member') requireApprovedOrganization(actor);
    return;
  }
  if (!actor.staffRole || !access.staff.includes(actor.staffRole)) {
    throw new AppError('forbidden', `Only staff (${access.staff.join(', ')}) can do this.`);
  }
}

/**
 * Staff act for the platform, never in their own organisation's cause: a staff member who is also a
 * member of an organisation does not review, moderate, take down or pair anything it is part of.
 */
export function refuseOwnOrganization(staff: Actor, involved: (string | null)[]): void {
  if (staff.organizationId && involved.includes(staff.organizationId)) {
    throw new AppError('forbidden', 'Staff cannot act on a matter their own organisation is part of.');
  }
}

export function requireApprovedOrganization(actor: Actor): void {
  if (actor.organizationStatus !== 'approved') {
    throw new AppError('organization_not_approved', 'Your organisation must be approved by the platform before it can publish or negotiate.');
  }
}
