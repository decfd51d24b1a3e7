// A report as sections of paragraphs, lists and tables, rendered as Markdown (a pull-request comment) or as plain
// text for a terminal (tables as aligned columns), so both formats say the same thing in the same order.
export type Block =
  | { p: string }
  | { list: readonly string[] }
  | { table: { head: readonly string[]; rows: readonly (readonly string[])[] } };

export interface Section {
  readonly title: string;
  readonly level: 2 | 3 | 4;
  readonly blocks: readonly Block[];
}

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");

export function renderMarkdown(sections: readonly Section[]): string {
  const out: string[] = [];
  for (const section of sections) {
    out.push(`${"#".repeat(section.level)} ${section.title}`, "");
    for (const block of section.blocks) {
      if ("p" in block) out.push(block.p);
      else if ("list" in block) out.push(...block.list.map((item) => `- ${item}`));
      else {
        const { head, rows } = block.table;
        out.push(`| ${head.map(cell).join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`);
        for (const row of rows) out.push(`| ${row.map(cell).join(" | ")} |`);
      }
      out.push("");
    }
  }
  return `${out.join("\n").trimEnd()}\n`;
}

// Markdown's inline marks mean nothing on a terminal.
const plain = (text: string) => text.replaceAll("`", "").replaceAll("**", "");

export function renderText(sections: readonly Section[]): string {
  const out: string[] = [];
  for (const section of sections) {
    const title = plain(section.title);
    // Underlined as Markdown's setext headings: = for the title, - for sections; subsections end with a colon.
    if (section.level === 4) out.push(`${title}:`);
    else out.push(title, (section.level === 2 ? "=" : "-").repeat(title.length));
    for (const block of section.blocks) {
      if ("p" in block) out.push(plain(block.p));
      else if ("list" in block) out.push(...block.list.map((item) => `  - ${plain(item)}`));
      else {
        const rows = [block.table.head, ...block.table.rows].map((row) => row.map(plain));
        const widths = block.table.head.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? "").length)));
        for (const row of rows)
          out.push(
            `  ${row
              .map((c, i) => c.padEnd(widths[i] ?? 0))
              .join("  ")
              .trimEnd()}`,
          );
      }
      out.push("");
    }
  }
  return `${out.join("\n").trimEnd()}\n`;
}
