import { describe, expect, it } from 'vitest';
import { ListingSearchQuery, OfferInput, RegisterInput, RoomHistoryQuery, RoomJoinInput, RoomSendInput, ROOM_SEQ_MAX, text, textProblem } from './index.ts';

const roomId = '00000000-0000-4000-8000-000000000001';

describe('textProblem', () => {
  it('accepts ordinary text, emoji (surrogate pairs), tab, newline and CRLF', () => {
    for (const value of ['锂电池热失控预警', 'Ünïcödé ✓', '合作愉快 😀🚀', 'a\tb', 'line 1\nline 2', 'line 1\r\nline 2', '']) {
      expect(textProblem(value), JSON.stringify(value)).toBeNull();
    }
  });

  it("refuses NUL, the other C0 controls, DEL and C1 controls with 'control_characters'", () => {
    for (const value of ['a\u0000b', '\u0001', 'bell\u0007', 'a\u000Bb', 'a\u000Cb', 'esc\u001B[31m', 'del\u007F', 'c1\u0085', 'c1\u009F']) {
      expect(textProblem(value), JSON.stringify(value)).toBe('control_characters');
    }
  });

  it("refuses a lone high or low surrogate anywhere with 'invalid_text'", () => {
    for (const value of ['\uD800', 'end\uD83D', '\uDE00start', 'mid\uDC00dle', '😀\uD83D', 'a\uDBFFb']) {
      expect(textProblem(value), JSON.stringify(value)).toBe('invalid_text');
    }
  });
});

describe('the rule in the schemas', () => {
  const issues = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
    result.error?.issues.map((i) => `${i.path.join('.')}:${i.message}`) ?? [];

  it('trims, then refuses', () => {
    expect(text().parse('  标题  ')).toBe('标题');
    expect(issues(text().safeParse(' a\u0000 '))).toEqual([':control_characters']);
  });

  it('guards every kind of text field: names, offer terms, messages, search words', () => {
    const register = RegisterInput.safeParse({ organization: { name: '公司\u0000' }, user: { name: '李\uD800', password: 'pass\u0000word-long' } });
    expect(issues(register)).toEqual(
      expect.arrayContaining(['organization.name:control_characters', 'user.name:invalid_text', 'user.password:control_characters']),
    );
    const offer = OfferInput.safeParse({ clientKey: 'offer-key-1', terms: { paymentTerms: '首付\uDC00' } });
    expect(issues(offer)).toContain('terms.paymentTerms:invalid_text');
    expect(issues(RoomSendInput.safeParse({ roomId, clientKey: 'message-key', body: '你好\uD83D' }))).toEqual(['body:invalid_text']);
    expect(issues(ListingSearchQuery.safeParse({ q: '电池\u0000' }))).toEqual(['q:control_characters']);
  });

  it('bounds sequence numbers to what a room can hold', () => {
    expect(RoomJoinInput.safeParse({ roomId, afterSeq: ROOM_SEQ_MAX }).success).toBe(true);
    expect(RoomJoinInput.safeParse({ roomId, afterSeq: ROOM_SEQ_MAX + 1 }).success).toBe(false);
    expect(RoomJoinInput.safeParse({ roomId, afterSeq: 1e300 }).success).toBe(false);
    expect(RoomHistoryQuery.safeParse({ beforeSeq: '99999999999999999999' }).success).toBe(false);
    expect(RoomSendInput.safeParse({ roomId, clientKey: 'message-key', body: 'hi', replyToSeq: 2 ** 40 }).success).toBe(false);
  });
});
