import type { Db, OrganizationStatus, Prisma } from '@hub/db';
import { AppError } from '../http/errors.ts';

const detailInclude = {
  reviews: { orderBy: { submission: 'asc' }, include: { reviewer: { select: { name: true } } } },
  members: { select: { id: true, name: true, email: true }, orderBy: { createdAt: 'asc' } },
} satisfies Prisma.OrganizationInclude;

export class OrganizationRepository {
  constructor(private readonly db: Db) {}

  async findDetailOrFail(id: string) {
    const org = await this.db.organization.findUnique({ where: { id }, include: detailInclude });
    if (!org) throw new AppError('organization_not_found', 'No such organisation.');
    return org;
  }

  /** Organisations in a review status with their latest review, oldest submission first. */
  findByStatus(status: OrganizationStatus, take = 200) {
    return this.db.organization.findMany({
      where: { status },
      orderBy: { submittedAt: 'asc' },
      take,
      include: { reviews: { orderBy: { submission: 'desc' }, take: 1 } },
    });
  }

  creditCodeTaken(creditCode: string, exceptId?: string) {
    return this.db.organization
      .count({ where: { creditCode, ...(exceptId ? { id: { not: exceptId } } : {}) } })
      .then((n) => n > 0);
  }
}
