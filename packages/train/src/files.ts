// File access for the options that take a path (`fit`'s `resumeFrom`,
// `ModelCheckpoint`, the loggers). The main entry must bundle for a browser
// with no Node.js module in sight, so it holds no file-system code: importing
// `@strata/train/node` installs Node's (see node.ts). Without it these
// options take bytes or a writer function instead of a path.

/** What the path-taking options need from a file system. */
export interface FileAccess {
  /** Reads a whole file. */
  readBytes(path: string): Promise<Uint8Array>;
  /** Writes a whole file; never leaves a half-written one behind. */
  writeBytes(path: string, bytes: Uint8Array | string): Promise<void>;
  /** Appends text to a file, creating it. */
  appendText(path: string, text: string): Promise<void>;
  /** A file's size in bytes, 0 when it does not exist. */
  fileSize(path: string): Promise<number>;
}

let installed: FileAccess | null = null;

/** Makes paths work: `@strata/train/node` calls this when it is imported. */
export function installFileAccess(access: FileAccess): void {
  installed = access;
}

function fileAccess(owner: string): FileAccess {
  if (installed === null) {
    throw new Error(
      `${owner}: a file path needs Node.js's file system, which the main entry of @strata/train leaves out so that it ` +
        `bundles for browsers: add import '@strata/train/node' (once, anywhere in the program), or pass bytes or a writer instead of a path`,
    );
  }
  return installed;
}

/** Reads a whole file. */
export function readBytes(path: string, owner: string): Promise<Uint8Array> {
  return fileAccess(owner).readBytes(path);
}

/** Writes a whole file, through a temporary file and a rename, so a crash never leaves half a checkpoint. */
export function writeBytes(path: string, bytes: Uint8Array | string, owner: string): Promise<void> {
  return fileAccess(owner).writeBytes(path, bytes);
}

/** Appends text to a file (creating it). */
export function appendText(path: string, text: string, owner: string): Promise<void> {
  return fileAccess(owner).appendText(path, text);
}

/** A file's size in bytes, 0 when it does not exist. */
export function fileSize(path: string, owner: string): Promise<number> {
  return fileAccess(owner).fileSize(path);
}
