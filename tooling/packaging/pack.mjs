/**
 * Packs every public package (see manifests.mjs: found from
 * packages/*\/package.json) with `pnpm pack`, which turns `workspace:^`
 * ranges into versions, exactly as `changeset publish` will publish them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { publicPackages } from './manifests.mjs';

/**
 * Packs every public package into `destination`; with `reuse`, a tarball
 * already there (same name and version) is taken as is.
 * @returns `{ name, version, folder, tarball, packedBytes, unpackedBytes, files }` per package.
 */
export function packAll(destination, { reuse = false } = {}) {
  mkdirSync(destination, { recursive: true });
  const packed = [];
  for (const { folder, directory, manifest } of publicPackages()) {
    // pnpm's name for the tarball: @strata/tensor 0.1.0 -> strata-tensor-0.1.0.tgz
    const tarball = join(destination, `${manifest.name.replace('@', '').replace('/', '-')}-${manifest.version}.tgz`);
    if (!(reuse && existsSync(tarball))) {
      execFileSync('pnpm', ['pack', '--pack-destination', destination], { cwd: directory, stdio: ['ignore', 'pipe', 'pipe'] });
    }
    const files = tarEntries(readFileSync(tarball));
    packed.push({
      name: manifest.name,
      version: manifest.version,
      folder,
      tarball,
      packedBytes: statSync(tarball).size,
      unpackedBytes: files.reduce((sum, file) => sum + file.size, 0),
      files,
    });
  }
  return packed;
}

/** The files of a .tgz (name and size), read from the tar headers. */
export function tarEntries(gzipped) {
  const tar = gunzipSync(gzipped);
  const entries = [];
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const size = Number.parseInt(header.subarray(124, 136).toString('utf8').replace(/\0.*$/s, '').trim() || '0', 8);
    const type = String.fromCharCode(header[156]);
    if (type === '0' || type === '\0') entries.push({ name: name.replace(/^package\//, ''), size });
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return entries;
}

/** `12.3 KB` */
export function formatBytes(bytes) {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`;
}
