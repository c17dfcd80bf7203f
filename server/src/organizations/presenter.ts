import type { Organization, OrganizationReview, User } from '@hub/db';
import type { OrganizationDetail, OrganizationView, ReviewRecord, ServiceSpeciality } from '@hub/protocol';

type ReviewWithReviewer = OrganizationReview & { reviewer: Pick<User, 'name'> | null };

export function presentOrganization(org: Organization, lastReview?: Pick<OrganizationReview, 'decision' | 'reason'> | null): OrganizationView {
  return {
    id: org.id,
    type: org.type,
    enterpriseSize: org.enterpriseSize,
    specialities: org.specialities as ServiceSpeciality[],
    name: org.name,
    creditCode: org.creditCode,
    provinceCode: org.provinceCode,
    cityCode: org.cityCode,
    industries: org.industries,
    contactName: org.contactName,
    contactPhone: org.contactPhone,
    status: org.status,
    submission: org.submission,
    submittedAt: org.submittedAt.toISOString(),
    reviewedAt: org.reviewedAt?.toISOString() ?? null,
    rejectionReason: org.status === 'rejected' ? (lastReview?.reason ?? null) : null,
  };
}

export function presentReview(review: ReviewWithReviewer): ReviewRecord {
  return {
    id: review.id,
    submission: review.submission,
    submittedAt: review.submittedAt.toISOString(),
    decision: review.decision,
    reason: review.reason,
    decidedAt: review.decidedAt?.toISOString() ?? null,
    reviewerName: review.reviewer?.name ?? null,
  };
}

export function presentOrganizationDetail(
  org: Organization & { reviews: ReviewWithReviewer[]; members: Pick<User, 'id' | 'name' | 'email'>[] },
): OrganizationDetail {
  const latest = org.reviews.at(-1);
  return {
    ...presentOrganization(org, latest),
    reviews: org.reviews.map(presentReview),
    members: org.members.map((m) => ({ id: m.id, name: m.name, email: m.email })),
  };
}
