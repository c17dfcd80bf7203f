import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, evidenceHash, GENESIS_HASH, type EvidenceContent } from './evidence-hash.ts';

describe('canonicalJson', () => {
  it('sorts keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}');
  });

  it('is the same whatever order the keys were inserted in', () => {
    const one = { kind: 'x', payload: { to: 'reviewer', from: null, reason: '入职' }, seq: 3 };
    const two = { seq: 3, payload: { reason: '入职', from: null, to: 'reviewer' }, kind: 'x' };
    expect(canonicalJson(one)).toBe(canonicalJson(two));
    expect(JSON.stringify(one)).not.toBe(JSON.stringify(two));
  });

  it('drops undefined properties but keeps null', () => {
    expect(canonicalJson({ a: undefined, b: null, c: { d: undefined } })).toBe('{"b":null,"c":{}}');
    expect(canonicalJson({ a: 1, b: undefined })).toBe(canonicalJson({ a: 1 }));
  });

  it('keeps array order', () => {
    expect(canonicalJson([3, 1, 2])).toBe('[3,1,2]');
    expect(canonicalJson({ list: ['b', 'a'] })).not.toBe(canonicalJson({ list: ['a', 'b'] }));
  });

  it('encodes scalars as JSON', () => {
    expect(canonicalJson('引号"')).toBe('"引号\\""');
    expect(canonicalJson(1.5)).toBe('1.5');
    expect(canonicalJson(true)).toBe('true');
    expect(canonicalJson(null)).toBe('null');
  });
});

const content: EvidenceContent = {
  seq: 1,
  kind: 'staff.role_changed',
  subjectType: 'user',
  subjectId: '0b8a3f0e-7c1d-4e55-9a43-2f1c6d7e8a90',
  actorId: '5d2c1b0a-9e8f-4a7b-8c6d-1e2f3a4b5c6d',
  payload: { to: 'reviewer', from: null, reason: '新入职审核员' },
  createdAt: '2026-11-26T01:00:00.000Z',
};

describe('evidenceHash', () => {
  it('is sha256 of prevHash followed by the canonical JSON of the entry, in hex', () => {
    const canonical =
      '{"actorId":"5d2c1b0a-9e8f-4a7b-8c6d-1e2f3a4b5c6d","createdAt":"2026-11-26T01:00:00.000Z","kind":"staff.role_changed",' +
      '"payload":{"from":null,"reason":"新入职审核员","to":"reviewer"},"seq":1,' +
      '"subjectId":"0b8a3f0e-7c1d-4e55-9a43-2f1c6d7e8a90","subjectType":"user"}';
    expect(canonicalJson(content)).toBe(canonical);
    const expected = createHash('sha256').update(GENESIS_HASH + canonical, 'utf8').digest('hex');
    expect(evidenceHash(GENESIS_HASH, content)).toBe(expected);
    expect(evidenceHash(GENESIS_HASH, content)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('starts the chain from 64 zeros', () => {
    expect(GENESIS_HASH).toBe('0'.repeat(64));
  });

  it('does not depend on key order in the payload', () => {
    const reordered = { ...content, payload: { reason: '新入职审核员', from: null, to: 'reviewer' } };
    expect(evidenceHash(GENESIS_HASH, reordered)).toBe(evidenceHash(GENESIS_HASH, content));
  });

  it('changes when any field changes', () => {
    const base = evidenceHash(GENESIS_HASH, content);
    const variants: Partial<EvidenceContent>[] = [
      { seq: 2 },
      { kind: 'organization.reviewed' },
      { subjectType: 'organization' },
      { subjectId: '0b8a3f0e-7c1d-4e55-9a43-2f1c6d7e8a91' },
      { actorId: null },
      { payload: { to: 'admin', from: null, reason: '新入职审核员' } },
      { payload: { to: 'reviewer', from: null, reason: '新入职审核员', extra: 1 } },
      { createdAt: '2026-11-26T01:00:00.001Z' },
    ];
    const hashes = variants.map((v) => evidenceHash(GENESIS_HASH, { ...content, ...v }));
    for (const [i, h] of hashes.entries()) expect(h, JSON.stringify(variants[i])).not.toBe(base);
    expect(new Set(hashes).size).toBe(variants.length);
  });

  it('changes when prevHash changes', () => {
    const prev = evidenceHash(GENESIS_HASH, content);
    expect(evidenceHash(prev, content)).not.toBe(evidenceHash(GENESIS_HASH, content));
    expect(evidenceHash(`${prev.slice(0, 63)}${prev[63] === '0' ? '1' : '0'}`, content)).not.toBe(evidenceHash(prev, content));
  });
});
