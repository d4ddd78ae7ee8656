import Handlebars from "handlebars";
import { type Segment, type TemplateVariable, templateVariables } from "./render.js";

/**
 * Compiles a .hbs template into render.ts's segments with Handlebars' own parser, so
 * whitespace control (a block tag alone on its line leaves no blank line) is
 * Handlebars' to the byte. Anything beyond text, {{variable}} and {{#if}}/{{else}} is
 * refused here, when the templates are built, rather than rendered differently.
 */
export function compileTemplate(source: string, file: string): Segment[] {
  return compileProgram(Handlebars.parse(source), file);
}

function compileProgram(program: hbs.AST.Program | undefined, file: string): Segment[] {
  const segments: Segment[] = [];
  for (const statement of program?.body ?? []) {
    const segment = compileStatement(statement, file);
    if (segment === undefined) continue;
    const last = segments.at(-1);
    // Adjacent text (around a comment) is one segment.
    if (typeof segment === "string" && typeof last === "string") segments[segments.length - 1] = last + segment;
    else if (segment !== "") segments.push(segment);
  }
  return segments;
}

function compileStatement(statement: hbs.AST.Statement, file: string): Segment | undefined {
  const at = `${file}:${statement.loc.start.line}`;
  switch (statement.type) {
    case "ContentStatement":
      return (statement as hbs.AST.ContentStatement).value;
    case "CommentStatement":
      return undefined;
    case "MustacheStatement": {
      const mustache = statement as hbs.AST.MustacheStatement;
      if (mustache.params.length > 0 || mustache.hash) throw new Error(`${at}: helpers are not supported in templates`);
      return { variable: variableOf(mustache.path, at) };
    }
    case "BlockStatement": {
      const block = statement as hbs.AST.BlockStatement;
      const helper = block.path.type === "PathExpression" ? (block.path as hbs.AST.PathExpression).original : "";
      if (helper !== "if" || block.params.length !== 1 || block.hash) throw new Error(`${at}: only {{#if variable}} blocks are supported`);
      return {
        if: variableOf(block.params[0]!, at),
        whenTrue: compileProgram(block.program, file),
        whenFalse: compileProgram(block.inverse, file),
      };
    }
    default:
      throw new Error(`${at}: ${statement.type} is not supported in templates`);
  }
}

/** Unknown names fail the build (what Handlebars' strict mode did), never render as "". */
function variableOf(expression: hbs.AST.Expression, at: string): TemplateVariable {
  const name = expression.type === "PathExpression" ? (expression as hbs.AST.PathExpression).original : undefined;
  if (!templateVariables.includes(name as TemplateVariable)) {
    throw new Error(`${at}: unknown template variable ${name ?? expression.type}; known: ${templateVariables.join(", ")}`);
  }
  return name as TemplateVariable;
}
