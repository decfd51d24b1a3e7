// The AWS API actions poolkeeper's adapters call, derived from their code: every `new <Operation>Command(…)` and
// every `paginate<Operation>(…)` whose name is imported from an `@aws-sdk/client-<service>` package in
// adapters/aws/ (or destructured from a loader of that package's ES build, ec2-sdk.ts), as IAM action `<service>:<Operation>` (the four services used name their IAM prefix and their
// client package alike: ec2, iam, ssm, sqs). The IAM policy in docs/install.md is checked against this.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { projectRoot } from "./fixtures.ts";

export interface AwsCall {
  action: string;
  at: string;
}

/** Every SDK operation the files of `dir` (relative to the project) send, with where. */
export function awsCalls(dir = "adapters/aws"): AwsCall[] {
  const calls: AwsCall[] = [];
  for (const name of readdirSync(join(projectRoot, dir))
    .filter((f) => f.endsWith(".ts"))
    .sort()) {
    const path = `${dir}/${name}`;
    const source = ts.createSourceFile(path, readFileSync(join(projectRoot, path), "utf8"), ts.ScriptTarget.Latest);
    // Local name → the service of the client package it is imported from (value imports only).
    const imported = new Map<string, string>();
    for (const statement of source.statements) {
      if (!ts.isImportDeclaration(statement) || statement.importClause?.isTypeOnly) continue;
      const service = /^@aws-sdk\/client-([a-z0-9-]+)$/.exec((statement.moduleSpecifier as ts.StringLiteral).text)?.[1];
      const bindings = statement.importClause?.namedBindings;
      if (service === undefined || bindings === undefined || !ts.isNamedImports(bindings)) continue;
      for (const element of bindings.elements) {
        if (!element.isTypeOnly) imported.set(element.name.text, service);
      }
    }
    // A loader module of the adapter's own (ec2-sdk.ts: the client and its commands from the package's ES build)
    // exports one object typed from `@aws-sdk/client-<service>`; the names this file destructures from it are that
    // package's too.
    const loaders = new Map<string, string>();
    for (const statement of source.statements) {
      if (!ts.isImportDeclaration(statement) || statement.importClause?.isTypeOnly) continue;
      const from = (statement.moduleSpecifier as ts.StringLiteral).text;
      const bindings = statement.importClause?.namedBindings;
      if (!from.startsWith("./") || bindings === undefined || !ts.isNamedImports(bindings)) continue;
      const loader = readFileSync(join(projectRoot, dir, from), "utf8");
      const service = /^import type \* as \w+ from "@aws-sdk\/client-([a-z0-9-]+)";$/m.exec(loader)?.[1];
      if (service === undefined) continue;
      for (const element of bindings.elements) if (!element.isTypeOnly) loaders.set(element.name.text, service);
    }
    const destructure = (node: ts.Node): void => {
      if (
        ts.isVariableDeclaration(node) &&
        ts.isObjectBindingPattern(node.name) &&
        node.initializer !== undefined &&
        ts.isIdentifier(node.initializer)
      ) {
        const service = loaders.get(node.initializer.text);
        if (service !== undefined) {
          for (const element of node.name.elements) {
            if (ts.isIdentifier(element.name)) imported.set(element.name.text, service);
          }
        }
      }
      ts.forEachChild(node, destructure);
    };
    destructure(source);
    const visit = (node: ts.Node): void => {
      const callee =
        ts.isNewExpression(node) || ts.isCallExpression(node)
          ? ts.isIdentifier(node.expression)
            ? node.expression.text
            : undefined
          : undefined;
      const service = callee === undefined ? undefined : imported.get(callee);
      if (callee !== undefined && service !== undefined) {
        const operation = ts.isNewExpression(node)
          ? /^(\w+)Command$/.exec(callee)?.[1]
          : /^paginate(\w+)$/.exec(callee)?.[1];
        if (operation !== undefined) {
          const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
          calls.push({ action: `${service}:${operation}`, at: `${path}:${line + 1}` });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return calls;
}
