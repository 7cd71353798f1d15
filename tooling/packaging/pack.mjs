/**
 * Packs every public package (see manifests.mjs: found from
 * packages/*\/package.json) with `pnpm pack`, which turns `workspace:^`
 * ranges into versions, exactly as `changeset publish` will publish them.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { publicPackages } from './manifests.mjs';

/**
 * Packs every public package into `destination`.
 * @returns `{ name, version, folder, tarball, packedBytes, unpackedBytes, files }` per package.
 */
export function packAll(destination) {
  mkdirSync(destination, { recursive: true });
  const packed = [];
  for (const { folder, directory, manifest } of publicPackages()) {
    const before = new Set(readdirSync(destination));
    execFileSync('pnpm', ['pack', '--pack-destination', destination], { cwd: directory, stdio: ['ignore', 'pipe', 'pipe'] });
    const created = readdirSync(destination).filter((file) => file.endsWith('.tgz') && !before.has(file));
    const tarball = join(destination, created[0] ?? `${manifest.name.replace('@', '').replace('/', '-')}-${manifest.version}.tgz`);
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
