// Where a command writes, so tests can capture it; colours only when the stream is a terminal (and NO_COLOR,
// FORCE_COLOR are honoured, through util.styleText).
import { styleText } from "node:util";

export type Colour = "red" | "yellow" | "green" | "gray" | "bold";

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
  style(colour: Colour, text: string): string;
  /** Whether stderr is a terminal (progress lines are only drawn there). */
  interactive: boolean;
}

export const processOutput: Output = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  style: (colour, text) => styleText(colour, text, { stream: process.stdout }),
  interactive: process.stderr.isTTY === true,
};

/** An Output that records what is written, without colours. */
export function capturedOutput(): Output & { out: string; err: string } {
  const captured = {
    out: "",
    err: "",
    stdout(text: string) {
      captured.out += text;
    },
    stderr(text: string) {
      captured.err += text;
    },
    style: (_colour: Colour, text: string) => text,
    interactive: false,
  };
  return captured;
}
