import { describe, expect, it } from 'vitest';
import { LocalTaskTokens, TaskTimedOut } from '../../local/engine/local-task-tokens.js';

describe('local task tokens (SendTaskSuccess / SendTaskFailure)', () => {
  it('resumes a wait with its output, once', async () => {
    const tokens = new LocalTaskTokens();
    const { token, answer } = tokens.issue('exec-1', 1000);
    await tokens.succeed(token, { imageId: 'image-1' });
    await expect(answer).resolves.toEqual({ imageId: 'image-1' });
    await expect(tokens.succeed(token, {})).rejects.toThrow(TaskTimedOut);
  });

  it('fails a wait with the named error', async () => {
    const tokens = new LocalTaskTokens();
    const { token, answer } = tokens.issue('exec-1', 1000);
    await tokens.fail(token, 'ApprovalRejected', 'rejected by bob');
    await expect(answer).rejects.toMatchObject({ name: 'ApprovalRejected', message: 'rejected by bob' });
  });

  it('times out as States.Timeout, after which an answer is refused', async () => {
    const tokens = new LocalTaskTokens();
    const { token, answer } = tokens.issue('exec-1', 10);
    await expect(answer).rejects.toMatchObject({ name: 'States.Timeout' });
    await expect(tokens.succeed(token, {})).rejects.toThrow(TaskTimedOut);
    expect(tokens.pendingCount).toBe(0);
  });

  it('gives every wait its own opaque token and ends an aborted execution’s waits', async () => {
    const tokens = new LocalTaskTokens();
    const a = tokens.issue('exec-1', 1000);
    const b = tokens.issue('exec-2', 1000);
    expect(a.token).not.toBe(b.token);
    expect(a.token).not.toContain('exec-1');
    tokens.cancelAll('exec-1');
    await expect(a.answer).rejects.toMatchObject({ name: 'States.Runtime' });
    expect(tokens.pendingCount).toBe(1);
    tokens.discard(b.token);
    expect(tokens.pendingCount).toBe(0);
  });
});

describe('the local engine’s Node version check', () => {
  it('refuses Node 20 with a message that says what to run instead, and accepts Node 22', async () => {
    const { assertSupportedNode } = await import('../../local/engine/assert-supported-node.js');
    expect(() => assertSupportedNode('20.20.2')).toThrow('needs Node 22 or later, and this is Node 20.20.2');
    expect(() => assertSupportedNode('22.23.3')).not.toThrow();
  });
});

describe('an answer that comes before anyone awaits it', () => {
  it('is kept for the waiter and is not an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const tokens = new LocalTaskTokens();
    const { token, answer } = tokens.issue('exec-1', 1000);
    await tokens.fail(token, 'BakeFailed', 'npm ci failed');
    await new Promise((resolve) => setTimeout(resolve, 20));
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
    await expect(answer).rejects.toMatchObject({ name: 'BakeFailed' });
  });
});
