import { createHash } from 'node:crypto';
import { endOfChinaDay } from '@hub/protocol';
import { canonicalJson } from '@hub/protocol/evidence-hash';
import { appendEvidence } from '../evidence.ts';
import type { Db } from '../index.ts';
import type { DemoListing } from './listings.ts';
import { demoUuid } from './rng.ts';

export type DemoListingState = 'published' | 'pending' | 'rejected' | 'draft';

/** One generated listing bound to its owner and the state the seed leaves it in. */
export interface DemoListingRow {
  listing: DemoListing;
  state: DemoListingState;
  organizationId: string;
  authorId: string;
  reason?: string;
}

const CHECKLIST_OK = { no_classified_content: true, true_and_accurate: true, current_and_valid: true };
const HOUR = 3_600_000;

export const demoListingId = (index: number) => demoUuid(`listing:${index}`);
export const demoVersionId = (index: number) => demoUuid(`listing-version:${index}:1`);
/** The valid-until day's end in China time, as the listing service stores it. */

const fingerprint = (content: object) => createHash('sha256').update(canonicalJson(content)).digest('hex');

/**
 * Writes one organisation's listings in one transaction: listings, their version 1, the published
 * pointer, and the evidence entries (appended in order under the evidence lock). Rows that already
 * exist must have been filtered out by the caller.
 */
export async function writeOrganizationListings(db: Db, rows: DemoListingRow[], reviewerId: string): Promise<void> {
  if (!rows.length) return;
  await db.$transaction(
    async (tx) => {
      const stamps = rows.map(({ listing, state }) => {
        const reviewedAt = listing.publishedAt;
        const submittedAt = new Date(reviewedAt.getTime() - (2 + (listing.index % 40)) * HOUR);
        const createdAt = new Date(submittedAt.getTime() - (1 + (listing.index % 7)) * HOUR);
        return { createdAt, submittedAt: state === 'draft' ? null : submittedAt, reviewedAt: state === 'published' || state === 'rejected' ? reviewedAt : null };
      });
      await tx.listing.createMany({
        data: rows.map(({ listing, state, organizationId, authorId, reason }, i) => ({
          id: demoListingId(listing.index),
          organizationId,
          side: listing.side,
          status: state,
          statusReason: state === 'rejected' ? reason ?? null : null,
          revision: 1,
          latestVersion: 1,
          publishedAt: state === 'published' ? listing.publishedAt : null,
          validUntil: state === 'published' ? endOfChinaDay(listing.content.validUntil) : null,
          createdById: authorId,
          createdAt: stamps[i]!.createdAt,
          updatedAt: stamps[i]!.reviewedAt ?? stamps[i]!.submittedAt ?? stamps[i]!.createdAt,
        })),
      });
      await tx.listingVersion.createMany({
        data: rows.map(({ listing, state, authorId, reason }, i) => {
          const c = listing.content;
          return {
            id: demoVersionId(listing.index),
            listingId: demoListingId(listing.index),
            version: 1,
            status: state,
            kind: c.kind,
            title: c.title,
            summary: c.summary,
            details: c.details,
            industries: c.industries,
            keywords: c.keywords,
            provinceCode: c.provinceCode,
            cityCode: c.cityCode,
            maturity: c.maturity,
            trl: c.trl ?? null,
            modes: c.modes,
            priceNegotiable: c.price.mode === 'negotiable',
            priceMin: c.price.mode === 'range' ? BigInt(c.price.min) : null,
            priceMax: c.price.mode === 'range' ? BigInt(c.price.max) : null,
            ip: c.ip.map((item) => ({ type: item.type, number: item.number, title: item.title ?? null })),
            validUntil: c.validUntil,
            authorId,
            createdAt: stamps[i]!.createdAt,
            submittedAt: stamps[i]!.submittedAt,
            reviewedAt: stamps[i]!.reviewedAt,
            reviewerId: state === 'published' || state === 'rejected' ? reviewerId : null,
            reviewReason: state === 'rejected' ? reason ?? null : null,
            checklist: state === 'published' ? CHECKLIST_OK : state === 'rejected' ? { ...CHECKLIST_OK, true_and_accurate: false } : undefined,
          };
        }),
      });
      const published = rows.filter((r) => r.state === 'published').map((r) => demoListingId(r.listing.index));
      if (published.length) {
        await tx.$executeRaw`UPDATE "Listing" l SET "publishedVersionId" = v.id FROM "ListingVersion" v
          WHERE v."listingId" = l.id AND v.version = 1 AND l.id = ANY(${published}::uuid[])`;
      }
      for (const { listing, state, authorId, reason } of rows) {
        const id = demoListingId(listing.index);
        const subject = { subjectType: 'listing', subjectId: id } as const;
        if (state === 'published') {
          await appendEvidence(tx, { kind: 'listing.reviewed', ...subject, actorId: reviewerId, payload: { version: 1, decision: 'approved', reason: null, checklist: CHECKLIST_OK } });
          continue;
        }
        await appendEvidence(tx, { kind: 'listing.saved', ...subject, actorId: authorId, payload: { version: 1, title: listing.content.title, contentSha256: fingerprint(listing.content) } });
        if (state === 'draft') continue;
        await appendEvidence(tx, { kind: 'listing.submitted', ...subject, actorId: authorId, payload: { version: 1 } });
        if (state === 'rejected') {
          await appendEvidence(tx, {
            kind: 'listing.reviewed', ...subject, actorId: reviewerId,
            payload: { version: 1, decision: 'rejected', reason: reason ?? null, checklist: { ...CHECKLIST_OK, true_and_accurate: false } },
          });
        }
      }
    },
    { timeout: 60_000, maxWait: 10_000 },
  );
}
