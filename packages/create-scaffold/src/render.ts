/**
 * The templates' language at run time: text, a variable, or an if/else block on a
 * variable. That is all of Handlebars the templates use, so the generator renders
 * them without Handlebars: template-compile.ts turns each .hbs file into these
 * segments (at build time for the packed set), and rendering is a walk over them.
 */
export type Segment = string | { variable: TemplateVariable } | { if: TemplateVariable; whenTrue: Segment[]; whenFalse: Segment[] };

/** What a template may refer to: the answers, and the version that rendered them. */
export const templateVariables = ["name", "queue", "generatorVersion"] as const;
export type TemplateVariable = (typeof templateVariables)[number];
export type TemplateData = Record<TemplateVariable, string | boolean>;

export function render(segments: readonly Segment[], data: TemplateData): string {
  let output = "";
  for (const segment of segments) {
    if (typeof segment === "string") output += segment;
    else if ("variable" in segment) output += String(data[segment.variable]);
    else output += render(data[segment.if] ? segment.whenTrue : segment.whenFalse, data);
  }
  return output;
}
