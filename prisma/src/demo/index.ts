export { generateDemoListings, formatCny, CONFIDENTIAL_TERMS, DEMO_LISTING_SEED, DEMO_ORGANIZATION_SEED } from './listings.ts';
export type { DemoListing, DemoListingContent, DemoListingOrganization, GenerateDemoListingsOptions } from './listings.ts';
export { generateDemoOrganizations, type DemoOrganizationSpec } from './organizations.ts';
export { mulberry32, demoUuid, type Rng } from './rng.ts';
export { VOCABULARY } from './vocabulary.ts';
