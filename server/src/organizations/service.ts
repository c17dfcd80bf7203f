import { appendEvidence, type Db, type Prisma } from '@hub/db';
import { hashPassword } from '@hub/platform';
import { socketRoom, type OrganizationApplication, type RegisterInput } from '@hub/protocol';
import type { Actor } from '../auth/actor.ts';
import { AppError, isUniqueViolation } from '../http/errors.ts';
import type { Broadcaster } from '@hub/protocol';
import { presentOrganization, presentOrganizationDetail } from './presenter.ts';
import { OrganizationRepository } from './repository.ts';

/** The application fields as stored: absent options become empty values. */
function applicationData(app: OrganizationApplication) {
  return {
    type: app.type,
    enterpriseSize: app.enterpriseSize ?? null,
    specialities: app.type === 'service_agency' ? (app.specialities ?? []) : [],
    name: app.name,
    creditCode: app.creditCode,
    provinceCode: app.provinceCode,
    cityCode: app.cityCode,
    industries: app.industries,
    contactName: app.contactName,
    contactPhone: app.contactPhone,
  };
}

const creditCodeTaken = () =>
  new AppError('credit_code_taken', 'An organisation with this unified social credit code is already registered.', {
    fields: [{ path: 'organization.creditCode', message: 'credit_code_taken' }],
  });

/** Onboarding (用户入驻): registration and resubmission of an organisation's application. */
export class OrganizationService {
  private readonly repo: OrganizationRepository;

  constructor(
    private readonly db: Db,
    private readonly broadcast: Broadcaster,
  ) {
    this.repo = new OrganizationRepository(db);
  }

  /**
   * Creates the organisation (pending) and its first member, and returns the new user's id; or,
   * when the email already has an account, writes nothing and returns null. The caller answers both
   * alike (see RegistrationReceived): whether an email is registered is nobody's business. The
   * email is not looked up first: both cases hash the password and run the same transaction, which
   * the unique email rolls back, so they also take about the same time. The credit code is public
   * (the business licence shows it), so a taken one is still a field error.
   */
  async register(input: RegisterInput): Promise<{ userId: string } | null> {
    if (await this.repo.creditCodeTaken(input.organization.creditCode)) throw creditCodeTaken();
    const passwordHash = await hashPassword(input.user.password);
    const data = applicationData(input.organization);
    try {
      const { org, userId } = await this.db.$transaction(async (tx) => {
        const org = await tx.organization.create({ data });
        const user = await tx.user.create({
          data: { email: input.user.email, name: input.user.name, passwordHash, organizationId: org.id },
        });
        await this.recordSubmission(tx, org.id, 1, data, user.id);
        return { org, userId: user.id };
      });
      this.broadcast.to(socketRoom.staff('reviewer'), 'console:organization-queued', presentOrganization(org));
      return { userId };
    } catch (error) {
      if (isUniqueViolation(error, 'creditCode')) throw creditCodeTaken();
      if (isUniqueViolation(error, 'email')) return null;
      throw error;
    }
  }

  /** Approved organisations by part of their name or by their exact credit code, closest names first. */
  async find(q: string) {
    const organizations = await this.db.organization.findMany({
      where: { status: 'approved', OR: [{ name: { contains: q, mode: 'insensitive' } }, { creditCode: q.toUpperCase() }] },
      select: { id: true, name: true, type: true, cityCode: true },
      orderBy: { name: 'asc' },
      take: 20,
    });
    return { organizations };
  }

  async mine(actor: Actor) {
    return presentOrganizationDetail(await this.repo.findDetailOrFail(actor.organizationId!));
  }

  /** A rejected applicant corrects the application and sends it back; earlier submissions stay in the history. */
  async resubmit(actor: Actor, application: OrganizationApplication) {
    const id = actor.organizationId!;
    if (await this.repo.creditCodeTaken(application.creditCode, id)) throw creditCodeTaken();
    const data = applicationData(application);
    try {
      const org = await this.db.$transaction(async (tx) => {
        const current = await tx.organization.findUniqueOrThrow({ where: { id }, select: { submission: true } });
        const submission = current.submission + 1;
        const { count } = await tx.organization.updateMany({
          where: { id, status: 'rejected' },
          data: { ...data, status: 'pending', submission, submittedAt: new Date(), reviewedAt: null },
        });
        if (count === 0) throw new AppError('review_conflict', 'Only a rejected application can be corrected and resubmitted.');
        await this.recordSubmission(tx, id, submission, data, actor.userId);
        return tx.organization.findUniqueOrThrow({ where: { id } });
      });
      const view = presentOrganization(org);
      this.broadcast.to(socketRoom.staff('reviewer'), 'console:organization-queued', view);
      return view;
    } catch (error) {
      if (isUniqueViolation(error, 'creditCode')) throw creditCodeTaken();
      throw error;
    }
  }

  private async recordSubmission(
    tx: Prisma.TransactionClient,
    organizationId: string,
    submission: number,
    snapshot: ReturnType<typeof applicationData>,
    actorId: string,
  ) {
    await tx.organizationReview.create({ data: { organizationId, submission, snapshot } });
    await appendEvidence(tx, {
      kind: 'organization.submitted',
      subjectType: 'organization',
      subjectId: organizationId,
      actorId,
      payload: { submission, application: snapshot },
    });
  }
}
