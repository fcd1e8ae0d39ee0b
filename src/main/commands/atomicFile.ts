import fs from 'node:fs';

/** Writes beside the target and renames, so a crash never leaves half a file. */
export function writeFileAtomic(file: string, text: string | Uint8Array): void {
  const tmp = `${file}.partial-${process.pid}`;
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}
