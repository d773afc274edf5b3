/** An inventory CSV on disk, read line by line: the file is never held in memory whole. */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { type InventoryCsv, readInventoryCsv } from '../../domain/inventory/csv.ts';

export interface InventoryFile {
  readonly csv: InventoryCsv;
  close(): void;
}

/** Opens `path` and reads its header; throws InventoryCsvError or the file system's error. */
export async function openInventoryFile(path: string): Promise<InventoryFile> {
  const stream = createReadStream(path, { encoding: 'utf-8' });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  await opened;
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  const close = () => {
    lines.close();
    stream.destroy();
  };
  try {
    return { csv: await readInventoryCsv(lines), close };
  } catch (error) {
    close();
    throw error;
  }
}
