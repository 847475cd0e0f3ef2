import { describe, it, expect } from 'vitest';
import { passwordChecks, passwordOk, charClasses } from './password';
import { createCursorState, goNext, goPrev, applyPage, currentCursor, pageNumber, resetCursor } from './cursor';
import { formatTime, shanghaiDayToUtc } from './time';

describe('password policy hints', () => {
  it('counts classes', () => {
    expect(charClasses('abc')).toBe(1);
    expect(charClasses('aB3!')).toBe(4);
  });
  it('checks length, classes and username', () => {
    expect(passwordOk('Abcdefgh12', 'zhang')).toBe(true);
    expect(passwordChecks('Abcdefg12', 'zhang').length).toBe(false);
    expect(passwordChecks('abcdefghij1', 'x').classes).toBe(false);
    expect(passwordChecks('xxZhang2024!', 'zhang').username).toBe(false);
    expect(passwordChecks('密码密码密码密码密码A1', 'u').length).toBe(true);
  });
});

describe('cursor pager', () => {
  it('keeps a stack of cursors', () => {
    const s = createCursorState(20);
    applyPage(s, { items: [], total: 45, next_cursor: 'c2' });
    expect(goNext(s)).toBe(true);
    expect(currentCursor(s)).toBe('c2');
    applyPage(s, { items: [], total: 45, next_cursor: 'c3' });
    goNext(s);
    applyPage(s, { items: [], total: 45, next_cursor: null });
    expect(pageNumber(s)).toBe(3);
    expect(goNext(s)).toBe(false);
    goPrev(s);
    expect(currentCursor(s)).toBe('c2');
    resetCursor(s, 50);
    expect(pageNumber(s)).toBe(1);
    expect(s.limit).toBe(50);
    expect(goPrev(s)).toBe(false);
  });
});

describe('time', () => {
  it('shows Asia/Shanghai', () => {
    expect(formatTime('2026-11-27T02:20:31Z')).toBe('2026-11-27 10:20:31');
  });
  it('converts a Shanghai day to UTC bounds', () => {
    expect(shanghaiDayToUtc('2026-11-27')).toBe('2026-11-26T16:00:00Z');
    expect(shanghaiDayToUtc('2026-11-27', true)).toBe('2026-11-27T16:00:00Z');
  });
});
