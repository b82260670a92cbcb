import { describe, expect, it } from 'vitest';
import { parseArtifactManifest } from '../../core/config/artifact-manifest.js';
import { BakeFailed } from '../../core/errors.js';

describe('artifact manifest (bakeshift.json)', () => {
  it('defaults the health path', () => {
    expect(parseArtifactManifest({ start: 'node server.js' })).toEqual({
      start: 'node server.js',
      healthPath: '/health',
    });
  });

  it('rejects a manifest without a start command as a failed bake naming the field', () => {
    expect(() => parseArtifactManifest({ healthPath: '/up' })).toThrow(BakeFailed);
    expect(() => parseArtifactManifest({ healthPath: '/up' })).toThrow('bakeshift.json: start:');
  });

  it('rejects a relative health path', () => {
    expect(() => parseArtifactManifest({ start: 'x', healthPath: 'health' })).toThrow(
      'bakeshift.json: healthPath: must start with "/"',
    );
  });
});
