/**
 * The MIME multi-part archive cloud-init reads, written as Karpenter writes it (aws:pkg/providers/amifamily/
 * bootstrap/mime/mime.go `Archive.Serialize`, over Go's mime/multipart): boundary `//`, one part per entry with
 * its Content-Type, and no carriage returns (Karpenter strips the ones Go writes).
 */
export const CONTENT_TYPE_SHELL_SCRIPT = 'text/x-shellscript; charset="us-ascii"';
export const CONTENT_TYPE_NODE_CONFIG = "application/node.eks.aws";

const BOUNDARY = "//";

export interface MimeEntry {
  readonly contentType: string;
  readonly content: string;
}

/** The archive as text (not yet base64). */
export function mimeArchive(entries: readonly MimeEntry[]): string {
  let out = `MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="${BOUNDARY}"\n\n`;
  // multipart.Writer puts a line break before every boundary but the first.
  entries.forEach((entry, index) => {
    out += `${index === 0 ? "" : "\n"}--${BOUNDARY}\nContent-Type: ${entry.contentType}\n\n${entry.content}`;
  });
  return `${out}\n--${BOUNDARY}--\n`;
}
