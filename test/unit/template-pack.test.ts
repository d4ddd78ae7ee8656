import { execFileSync } from "node:child_process";
import Handlebars from "handlebars";
import { describe, expect, it } from "vitest";
import { planProject } from "../../packages/create-scaffold/src/plan.js";
import { render } from "../../packages/create-scaffold/src/render.js";
import { compileTemplate } from "../../packages/create-scaffold/src/template-compile.js";
import { loadTemplates } from "../../packages/create-scaffold/src/template-folder.js";
import { serialiseTemplatePack } from "../../packages/create-scaffold/src/template-pack.js";
import { parseTemplatePack } from "../../packages/create-scaffold/src/templates.js";
import { templatesDir } from "../support/paths.js";

const data = { name: "my-app", generatorVersion: "1.2.3" };

// Handlebars as the generator once ran it; the compiled segments must render the same bytes.
const handlebars = (source: string, values: object) => Handlebars.create().compile(source, { noEscape: true, strict: true })(values);

describe("compiled templates", () => {
  const samples = {
    "a variable": "name: {{name}} v{{generatorVersion}}\n",
    "an if alone on its lines": "a\n{{#if queue}}\nqueued {{name}}\n{{/if}}\nb\n",
    "if and else on their lines": "x\n  {{#if queue}}\n  on\n  {{else}}\n  off\n  {{/if}}\ny\n",
    "an inline if": 'deps: [{{#if queue}}"bullmq"{{else}}{{/if}}]\n',
    "nested blocks and else if": "{{#if queue}}\n{{#if name}}\nboth\n{{/if}}\n{{else if name}}\nname only\n{{/if}}\n",
    "whitespace control and comments": "a   {{~name~}}   b\n{{! a note }}\nc <&\"'> {{name}}\n",
  };
  for (const [label, source] of Object.entries(samples)) {
    it.each([true, false])(`renders %s as Handlebars does: ${label}`, (queue) => {
      const values = { ...data, queue };
      expect(render(compileTemplate(source, "sample.hbs"), values)).toBe(handlebars(source, values));
    });
  }

  it("refuses what it does not render, naming the file and line", () => {
    expect(() => compileTemplate("ok\n{{nmae}}\n", "x.hbs")).toThrow(
      "x.hbs:2: unknown template variable nmae; known: name, queue, generatorVersion",
    );
    expect(() => compileTemplate("{{#each list}}{{/each}}", "x.hbs")).toThrow("x.hbs:1: only {{#if variable}} blocks are supported");
    expect(() => compileTemplate("{{upper name}}", "x.hbs")).toThrow("x.hbs:1: helpers are not supported in templates");
    expect(() => compileTemplate("{{> partial}}", "x.hbs")).toThrow("x.hbs:1: PartialStatement is not supported in templates");
  });
});

describe("the template pack", () => {
  it.each([true, false])("plans the same bytes as the template folder (queue %s)", async (queue) => {
    const folder = await loadTemplates(templatesDir);
    const packed = parseTemplatePack(serialiseTemplatePack(folder));
    expect(planProject({ name: "pack-app", queue }, packed)).toEqual(planProject({ name: "pack-app", queue }, folder));
  });

  it("keeps a file that is not UTF-8 byte for byte, with the blob id git gives it", () => {
    const contents = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe, 0x00]);
    const packed = parseTemplatePack(serialiseTemplatePack({ base: new Map([["logo.png", { contents }]]) }));
    const gitBlobId = execFileSync("git", ["hash-object", "--stdin"], { input: contents, encoding: "utf8" }).trim();
    expect(packed.base!.get("logo.png")).toEqual({ contents, blobId: gitBlobId });
  });
});
