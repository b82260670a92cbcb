import { describe, expect, it } from 'vitest';
import { parseArtifactManifest } from '../../core/config/artifact-manifest.js';
import { BakeFailed } from '../../core/errors.js';
import { checkLocalBasePackages } from '../../local/baker/local-base-packages.js';

describe('artifact manifest (bakeshift.json)', () => {
  it('defaults the health path', () => {
    expect(parseArtifactManifest({ start: 'node server.js' })).toEqual({
      start: 'node server.js',
      healthPath: '/health',
      packages: [],
    });
  });

  it('takes operating-system packages by name, and refuses anything a shell could read as more', () => {
    expect(parseArtifactManifest({ start: 'x', packages: ['nodejs22', 'libstdc++'] }).packages).toEqual([
      'nodejs22',
      'libstdc++',
    ]);
    expect(() => parseArtifactManifest({ start: 'x', packages: ['nodejs; rm -rf /'] })).toThrow(
      'bakeshift.json: packages.0: must be a package name',
    );
  });

  it('bakes locally only what the local base provides, naming what it does not', () => {
    expect(() => checkLocalBasePackages(['nodejs22'], '22.23.3')).not.toThrow();
    expect(() => checkLocalBasePackages(['nodejs22', 'imagemagick'], '22.23.3')).toThrow(
      "bakeshift.json packages: imagemagick not provided by the local base (it provides nodejs, nodejs22: this machine's Node 22.23.3)",
    );
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
