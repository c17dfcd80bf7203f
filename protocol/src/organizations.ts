import { creditCodeProblem } from './credit-code.ts';
import { INDUSTRY_CODES } from './industries.ts';
import { findCity } from './regions.ts';
import { text, untrimmedText } from './text.ts';
import { z } from './zod.ts';

export const ORGANIZATION_TYPES = ['enterprise', 'university', 'research_institute', 'service_agency', 'investor', 'incubator'] as const;
export const OrganizationType = z.enum(ORGANIZATION_TYPES).openapi('OrganizationType');
export type OrganizationType = z.infer<typeof OrganizationType>;

/** Enterprise size per the SME classification (大型/中型/小型/微型). */
export const EnterpriseSize = z.enum(['large', 'medium', 'small', 'micro']).openapi('EnterpriseSize');
export type EnterpriseSize = z.infer<typeof EnterpriseSize>;

/** What a service agency (科技服务机构) offers. */
export const SERVICE_SPECIALITIES = [
  'ip', 'valuation', 'testing', 'finance', 'brokerage', 'legal', 'consulting', 'instrument_sharing', 'incubation',
] as const;
export const ServiceSpeciality = z.enum(SERVICE_SPECIALITIES).openapi('ServiceSpeciality');
export type ServiceSpeciality = z.infer<typeof ServiceSpeciality>;

export const OrganizationStatus = z.enum(['pending', 'approved', 'rejected']).openapi('OrganizationStatus');
export type OrganizationStatus = z.infer<typeof OrganizationStatus>;

export const CreditCode = z
  .string()
  .trim()
  .transform((v) => v.toUpperCase())
  .superRefine((code, ctx) => {
    const problem = creditCodeProblem(code);
    if (problem === 'length') ctx.addIssue({ code: 'custom', message: 'credit_code_length' });
    else if (problem === 'characters') ctx.addIssue({ code: 'custom', message: 'credit_code_characters' });
    else if (problem === 'check_character') ctx.addIssue({ code: 'custom', message: 'credit_code_check_character' });
  })
  .openapi({ description: '18-character unified social credit code (GB 32100), check character verified', example: '91350100M000100Y43' });

export const MainlandPhone = z
  .string()
  .trim()
  .regex(/^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/, 'phone_format')
  .openapi({ description: 'Mobile (11 digits) or landline with area code', example: '13800138000' });

/** The organisation part of an application; resubmitting after rejection sends the same fields. */
export const OrganizationApplication = z
  .strictObject({
    type: OrganizationType,
    enterpriseSize: EnterpriseSize.optional(),
    specialities: z.array(ServiceSpeciality).max(SERVICE_SPECIALITIES.length).optional(),
    name: text().min(1).max(100),
    creditCode: CreditCode,
    provinceCode: z.string().regex(/^\d{6}$/),
    cityCode: z.string().regex(/^\d{6}$/),
    industries: z.array(z.enum(INDUSTRY_CODES)).min(1).max(5),
    contactName: text().min(1).max(50),
    contactPhone: MainlandPhone,
  })
  .superRefine((org, ctx) => {
    if (org.type === 'enterprise' && !org.enterpriseSize) {
      ctx.addIssue({ code: 'custom', path: ['enterpriseSize'], message: 'required_for_enterprise' });
    }
    if (org.type !== 'enterprise' && org.enterpriseSize) {
      ctx.addIssue({ code: 'custom', path: ['enterpriseSize'], message: 'only_for_enterprise' });
    }
    if (org.type === 'service_agency' && !org.specialities?.length) {
      ctx.addIssue({ code: 'custom', path: ['specialities'], message: 'required_for_service_agency' });
    }
    if (!findCity(org.provinceCode, org.cityCode)) {
      ctx.addIssue({ code: 'custom', path: ['cityCode'], message: 'unknown_region' });
    }
  })
  .openapi('OrganizationApplication');
export type OrganizationApplication = z.infer<typeof OrganizationApplication>;

export const Email = z.string().trim().toLowerCase().max(254).pipe(z.email()).openapi({ example: 'li.ming@example.cn' });
export const Password = untrimmedText().min(10, 'password_too_short').max(128).openapi({ description: 'At least 10 characters' });

/** Registration: an organisation with its first member. */
export const RegisterInput = z
  .strictObject({
    organization: OrganizationApplication,
    user: z.strictObject({ name: text().min(1).max(50), email: Email, password: Password }),
  })
  .openapi('RegisterInput');
export type RegisterInput = z.infer<typeof RegisterInput>;

export const ReviewRecord = z
  .object({
    id: z.string(),
    submission: z.number().int(),
    submittedAt: z.string(),
    decision: z.enum(['approved', 'rejected']).nullable(),
    reason: z.string().nullable(),
    decidedAt: z.string().nullable(),
    reviewerName: z.string().nullable(),
  })
  .openapi('ReviewRecord');
export type ReviewRecord = z.infer<typeof ReviewRecord>;

export const OrganizationView = z
  .object({
    id: z.string(),
    type: OrganizationType,
    enterpriseSize: EnterpriseSize.nullable(),
    specialities: z.array(ServiceSpeciality),
    name: z.string(),
    creditCode: z.string(),
    provinceCode: z.string(),
    cityCode: z.string(),
    industries: z.array(z.string()),
    contactName: z.string(),
    contactPhone: z.string(),
    status: OrganizationStatus,
    submission: z.number().int(),
    submittedAt: z.string(),
    reviewedAt: z.string().nullable(),
    rejectionReason: z.string().nullable(),
  })
  .openapi('Organization');
export type OrganizationView = z.infer<typeof OrganizationView>;

export const OrganizationDetail = OrganizationView.extend({
  reviews: z.array(ReviewRecord),
  members: z.array(z.object({ id: z.string(), name: z.string(), email: z.string() })),
}).openapi('OrganizationDetail');
export type OrganizationDetail = z.infer<typeof OrganizationDetail>;

export const ReviewDecisionInput = z
  .discriminatedUnion('decision', [
    z.strictObject({ decision: z.literal('approve'), reason: text().max(500).optional() }),
    z.strictObject({ decision: z.literal('reject'), reason: text().min(2, 'reason_required').max(500) }),
  ])
  .openapi('ReviewDecisionInput');
export type ReviewDecisionInput = z.infer<typeof ReviewDecisionInput>;

export const ReviewQueueQuery = z.strictObject({
  status: OrganizationStatus.default('pending'),
});

export const IdParam = z.strictObject({ id: z.uuid() });

/** Staff find an approved organisation by part of its name or by its credit code (to open a room for it). */
export const OrganizationFindQuery = z.strictObject({ q: text().min(1).max(100) });
export const OrganizationFound = z
  .object({ organizations: z.array(z.object({ id: z.string(), name: z.string(), type: OrganizationType, cityCode: z.string() })) })
  .openapi('OrganizationFound');
