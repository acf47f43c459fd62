// Crash-safe file writes: data goes to a temporary file, is fsynced, then renamed over the target and
// the directory is fsynced, so after a crash a reader sees either the old file or the complete new
// one, never a torn write.

export const TEMP_PREFIX = ".tmp-";

export async function syncDirectory(dir: string): Promise<void> {
  const handle = await Deno.open(dir, { read: true });
  try {
    await handle.sync();
  } finally {
    handle.close();
  }
}

export async function writeFileDurably(dir: string, name: string, data: Uint8Array): Promise<void> {
  const tempPath = `${dir}/${TEMP_PREFIX}${crypto.randomUUID()}`;
  const file = await Deno.open(tempPath, { write: true, createNew: true, mode: 0o600 });
  try {
    let written = 0;
    while (written < data.length) written += await file.write(data.subarray(written));
    await file.sync();
  } catch (error) {
    file.close();
    await Deno.remove(tempPath).catch(() => {});
    throw error;
  }
  file.close();
  await Deno.rename(tempPath, `${dir}/${name}`);
  await syncDirectory(dir);
}

/** Removes temporary files a crash left behind; their writers never reported success. */
export async function removeLeftoverTempFiles(dir: string): Promise<number> {
  let removed = 0;
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && entry.name.startsWith(TEMP_PREFIX)) {
      await Deno.remove(`${dir}/${entry.name}`);
      removed++;
    }
  }
  return removed;
}
