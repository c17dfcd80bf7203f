import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every depth, so the same entry always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The fields of an evidence entry that its hash covers. */
export interface EvidenceContent {
  seq: number;
  kind: string;
  subjectType: string;
  subjectId: string;
  actorId: string | null;
  payload: unknown;
  createdAt: string;
}

/** The hash that links the chain's first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** hash = sha256(prevHash + canonical JSON of the entry), hex. */
export function evidenceHash(prevHash: string, content: EvidenceContent): string {
  return createHash('sha256').update(prevHash + canonicalJson(content)).digest('hex');
}
