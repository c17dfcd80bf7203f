import type { OfferField } from '#lib/offers.ts';
import { m } from '#lib/paraglide/messages.js';

/** The label of each field of an offer's terms. */
export const OFFER_FIELD_LABEL: Record<OfferField, () => string> = {
  mode: m.offer_field_mode,
  priceCny: m.offer_field_price,
  paymentTerms: m.offer_field_payment_terms,
  milestones: m.offer_field_milestones,
  scope: m.offer_field_scope,
  ipOwnership: m.offer_field_ip_ownership,
  confidentiality: m.offer_field_confidentiality,
  validUntil: m.offer_field_valid_until,
};
