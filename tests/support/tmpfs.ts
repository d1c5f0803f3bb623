/**
 * A small tmpfs of its own, for disk-full tests: mounted on a fresh directory (needs root, or
 * CAP_SYS_ADMIN), filled to the last byte on demand, freed by deleting the filler.
 *
 *   if (!requireTmpfs()) return;               // under CI=true a refused mount is a failure
 *   const disk = mountTmpfs('2m');            // { dir, fill(), free(), unmount() }
 *   disk.fill();  ...writes fail with ENOSPC...  disk.free();
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { registerCleanup, requirePart } from './process';

export interface SmallDisk {
  dir: string;
  /** Writes a filler file until the disk has no byte left; returns the bytes it took. */
  fill(): number;
  /** Deletes the filler: the space is back. */
  free(): void;
  /** Bytes still free. */
  freeBytes(): number;
  unmount(): void;
}

function tryMount(dir: string, size: string): string | null {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    return null;
  } catch (err) {
    const stderr = String((err as { stderr?: Buffer }).stderr ?? '').trim();
    return stderr || (err as Error).message;
  }
}

let probed: string | null | undefined;

/** Can this process mount a tmpfs? Throws under CI=true when not; prints and returns false otherwise. */
export function requireTmpfs(): boolean {
  if (probed === undefined) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-tmpfs-probe-'));
    probed = tryMount(dir, '64k');
    if (probed === null) execFileSync('umount', [dir]);
    fs.rmdirSync(dir);
  }
  return requirePart(probed === null, `cannot mount a tmpfs for the disk-full test (run as root): ${probed}`);
}

export function mountTmpfs(size: string): SmallDisk {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-tmpfs-'));
  const failure = tryMount(dir, size);
  if (failure) throw new Error(`mount tmpfs on ${dir}: ${failure}`);
  const unregister = registerCleanup({ kind: 'cmd', argv: ['umount', '-l', dir] });
  const filler = path.join(dir, 'filler');
  let mounted = true;
  return {
    dir,
    fill() {
      const chunk = Buffer.alloc(64 * 1024, 0x5a);
      const fd = fs.openSync(filler, 'a');
      let total = 0;
      try {
        // Big chunks first, then single bytes, so not even one block stays free.
        for (const size of [chunk.length, 4096, 1]) {
          for (;;) {
            try {
              total += fs.writeSync(fd, chunk, 0, size);
            } catch (err) {
              if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
              throw err;
            }
          }
        }
      } finally {
        fs.closeSync(fd);
      }
      return total;
    },
    free() {
      fs.rmSync(filler, { force: true });
    },
    freeBytes() {
      const s = fs.statfsSync(dir);
      return s.bavail * s.bsize;
    },
    unmount() {
      if (!mounted) return;
      mounted = false;
      execFileSync('umount', [dir]);
      unregister();
      fs.rmdirSync(dir);
    },
  };
}
