import { ListingSide } from '@hub/protocol';
import type { PageLoad } from './$types';

export const load = (({ url }) => {
  const parsed = ListingSide.safeParse(url.searchParams.get('side'));
  return { side: parsed.success ? parsed.data : ('supply' as const) };
}) satisfies PageLoad;
