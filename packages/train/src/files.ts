// File access for the options that take a path (`fit`'s `resumeFrom`,
// `ModelCheckpoint`, the loggers). `node:fs` is imported only when a path is
// actually used, so the package still loads in a browser, where these options
// take bytes or a writer function instead.

type NodeFs = typeof import('node:fs/promises');

let fileSystem: Promise<NodeFs> | undefined;

function nodeFs(owner: string): Promise<NodeFs> {
  fileSystem ??= import('node:fs/promises').catch((error: unknown) => {
    fileSystem = undefined;
    throw new Error(`${owner}: reading and writing files needs Node.js's file system (node:fs): ${String(error)}`);
  });
  return fileSystem;
}

/** Reads a whole file. */
export async function readBytes(path: string, owner: string): Promise<Uint8Array> {
  const fs = await nodeFs(owner);
  return new Uint8Array(await fs.readFile(path));
}

/** Writes a whole file, through a temporary file and a rename, so a crash never leaves half a checkpoint. */
export async function writeBytes(path: string, bytes: Uint8Array | string, owner: string): Promise<void> {
  const fs = await nodeFs(owner);
  const temporary = `${path}.${process.pid}.tmp`;
  await fs.writeFile(temporary, bytes);
  await fs.rename(temporary, path);
}

/** Appends text to a file (creating it). */
export async function appendText(path: string, text: string, owner: string): Promise<void> {
  const fs = await nodeFs(owner);
  await fs.appendFile(path, text);
}

/** A file's size in bytes, 0 when it does not exist. */
export async function fileSize(path: string, owner: string): Promise<number> {
  const fs = await nodeFs(owner);
  try {
    return (await fs.stat(path)).size;
  } catch {
    return 0;
  }
}
