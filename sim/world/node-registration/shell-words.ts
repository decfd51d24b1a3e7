// The words of a shell command line as bash splits them, for the one line of AL2 user data the world reads
// (`/etc/eks/bootstrap.sh 'cluster' --apiserver-endpoint '…' \ …`): single quotes, double quotes with their
// backslash escapes, backslashes outside quotes, and backslash-newline continuations. No expansion: Karpenter's
// line has none to expand.

export class ShellWordsError extends Error {}

export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let i = 0;
  const add = (text: string) => {
    word = (word ?? "") + text;
  };
  while (i < line.length) {
    const c = line.charAt(i);
    if (c === "\\") {
      const next = line.charAt(i + 1);
      if (next === "\n") i += 2;
      else {
        add(next);
        i += 2;
      }
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new ShellWordsError("unterminated single quote");
      add(line.slice(i + 1, end));
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      let text = "";
      while (j < line.length && line.charAt(j) !== '"') {
        if (line.charAt(j) === "\\" && '$`"\\\n'.includes(line.charAt(j + 1))) {
          if (line.charAt(j + 1) !== "\n") text += line.charAt(j + 1);
          j += 2;
        } else {
          text += line.charAt(j);
          j += 1;
        }
      }
      if (j >= line.length) throw new ShellWordsError("unterminated double quote");
      add(text);
      i = j + 1;
    } else if (c === " " || c === "\t" || c === "\n") {
      if (word !== undefined) words.push(word);
      word = undefined;
      i += 1;
    } else {
      add(c);
      i += 1;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}
