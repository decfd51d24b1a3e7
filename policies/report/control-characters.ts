// Characters in the input (a pool's name, a label key, a file name, a message that quotes a value) that would act
// on whoever reads a report rather than be read: C0 and C1 controls (an ESC or CSI sequence recolours, retitles or
// moves the cursor of a terminal and of CI log viewers, CR overwrites a line, LF forges one), the line and paragraph
// separators some viewers break lines at, and the bidirectional controls that reorder what is shown ("Trojan
// Source", CVE-2021-42574). Each format family carries them its own way: the formats people read show them as
// escapes (here), JSON escapes them in its bytes (json.ts), XML in its bytes where it can (junit.ts), and GitHub
// workflow commands add their own escaping on top of this one (github.ts).

/** Every character a report must not emit raw: C0, DEL and C1, U+2028/U+2029, and the bidirectional controls. */
export const CONTROL_CHARACTERS =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { "\t": "\\t", "\n": "\\n", "\r": "\\r" };

/** The escape a reader sees for one such character: `\n`, `\x1b`, `\u202e`. */
function visible(char: string): string {
  const code = char.charCodeAt(0);
  return NAMED[char] ?? (code <= 0xff ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`);
}

function hex(code: number, digits: number): string {
  return code.toString(16).padStart(digits, "0");
}

/**
 * For text a person reads (the terminal report, GitHub's log lines and annotations): each control character as a
 * visible escape, so a name reads as what it is and no input can start, end or rearrange a line.
 */
export function escapeControlCharacters(text: string): string {
  return text.replace(CONTROL_CHARACTERS, visible);
}
