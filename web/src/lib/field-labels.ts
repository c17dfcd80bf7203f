import { m } from '#lib/paraglide/messages.js';

/** Labels of the organisation fields by key, for error summaries. */
export const ORGANIZATION_FIELD_LABEL: Record<string, () => string> = {
  type: m.field_org_type,
  enterpriseSize: m.field_enterprise_size,
  specialities: m.field_specialities,
  name: m.field_org_name,
  creditCode: m.field_credit_code,
  provinceCode: m.field_province,
  cityCode: m.field_city,
  industries: m.field_industries,
  contactName: m.field_contact_name,
  contactPhone: m.field_contact_phone,
};

/** Label and element id for an organisation field path inside a form whose ids start with `idPrefix`. */
export function organizationField(key: string, idPrefix: string): { label: string; id: string } | undefined {
  const label = ORGANIZATION_FIELD_LABEL[key];
  return label ? { label: label(), id: `${idPrefix}-${key}` } : undefined;
}
