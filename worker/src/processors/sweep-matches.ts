import { enqueue, jobId, type JobPayload } from '@hub/protocol';
import { retractListingMatches } from '@hub/matching';
import type { ProcessorDeps } from './index.ts';

const PAGE = 1000;

/**
 * Repeatable: catches whatever a crash or a lost Redis dropped. Every published listing whose
 * current revision the matcher has not finished with gets its match job back: added if it is gone,
 * retried if it failed, replaced if a finished copy is still kept; waiting or running ones are left
 * alone. Live matches of listings that left the platform are retracted. So after any crash, every
 * published listing is matched within one sweep period.
 */
export async function sweepMatches(deps: ProcessorDeps, _payload: JobPayload<'sweep-matches'>) {
  let requeued = 0;
  let after: string | undefined;
  for (;;) {
    const stale = await deps.db.listing.findMany({
      where: {
        status: 'published',
        OR: [{ matchedRevision: null }, { matchedRevision: { lt: deps.db.listing.fields.revision } }],
        ...(after ? { id: { gt: after } } : {}),
      },
      select: { id: true, revision: true },
      orderBy: { id: 'asc' },
      take: PAGE,
    });
    const missing: { listingId: string; revision: number }[] = [];
    await Promise.all(
      stale.map(async ({ id, revision }) => {
        const payload = { listingId: id, revision };
        const job = await deps.bull.getJob(jobId['match-listing'](payload));
        const state = job ? await job.getState() : 'missing';
        if (state === 'failed') await job!.retry('failed');
        else if (state === 'completed') await job!.remove();
        if (state === 'missing' || state === 'completed') missing.push(payload);
        if (state === 'missing' || state === 'completed' || state === 'failed') requeued += 1;
      }),
    );
    await enqueue(deps.queue, 'match-listing', missing);
    if (stale.length < PAGE) break;
    after = stale.at(-1)!.id;
  }

  const orphans = await deps.db.match.findMany({
    where: {
      status: { in: ['open', 'declined'] },
      OR: [{ supplyListing: { status: { not: 'published' } } }, { demandListing: { status: { not: 'published' } } }],
    },
    select: { supplyListingId: true, demandListingId: true, supplyListing: { select: { status: true } } },
    take: PAGE,
  });
  const gone = [...new Set(orphans.map((m) => (m.supplyListing.status === 'published' ? m.demandListingId : m.supplyListingId)))];
  let retracted = 0;
  for (const listingId of gone) {
    const retractions = await retractListingMatches(deps.db, listingId);
    retracted += retractions.length;
    await deps.matches.retract(retractions);
  }
  if (requeued || retracted) deps.log?.warn({ requeued, retracted }, 'match sweep repaired dropped work');
  return { requeued, retracted };
}
