import type { EnterpriseSize, IndustryCode, OrganizationApplication, OrganizationType, OrganizationView, z } from '@hub/protocol';
import type { ServiceSpeciality } from './labels.ts';

/** The organisation part of the registration / resubmission form, as the inputs hold it. */
export interface OrganizationForm {
  type: OrganizationType | '';
  enterpriseSize: EnterpriseSize | '';
  specialities: ServiceSpeciality[];
  name: string;
  creditCode: string;
  provinceCode: string;
  cityCode: string;
  industries: IndustryCode[];
  contactName: string;
  contactPhone: string;
}

export const MAX_INDUSTRIES = 5;

export function emptyOrganizationForm(): OrganizationForm {
  return {
    type: '',
    enterpriseSize: '',
    specialities: [],
    name: '',
    creditCode: '',
    provinceCode: '',
    cityCode: '',
    industries: [],
    contactName: '',
    contactPhone: '',
  };
}

/** Prefills the form from the organisation as it was submitted (for a resubmission). */
export function formFromView(view: OrganizationView): OrganizationForm {
  return {
    type: view.type,
    enterpriseSize: view.enterpriseSize ?? '',
    specialities: [...view.specialities],
    name: view.name,
    creditCode: view.creditCode,
    provinceCode: view.provinceCode,
    cityCode: view.cityCode,
    industries: [...view.industries] as IndustryCode[],
    contactName: view.contactName,
    contactPhone: view.contactPhone,
  };
}

/** The request body: only the fields that belong to the chosen type are sent. */
export function toApplication(form: OrganizationForm): z.input<typeof OrganizationApplication> {
  return {
    type: form.type as OrganizationType,
    ...(form.type === 'enterprise' && form.enterpriseSize ? { enterpriseSize: form.enterpriseSize } : {}),
    ...(form.type === 'service_agency' ? { specialities: form.specialities } : {}),
    name: form.name,
    creditCode: form.creditCode,
    provinceCode: form.provinceCode,
    cityCode: form.cityCode,
    industries: form.industries,
    contactName: form.contactName,
    contactPhone: form.contactPhone,
  };
}

/** Whether the field at `key` (without prefix) was left blank. */
export function isBlank(form: OrganizationForm, key: string): boolean {
  const value = (form as unknown as Record<string, unknown>)[key];
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'string' ? value.trim() === '' : value === undefined;
}
