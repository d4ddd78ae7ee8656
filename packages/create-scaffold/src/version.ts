// Injected by tsup at build time from package.json (see tsup.config.ts).
declare const __GENERATOR_VERSION__: string;

export const generatorName = "create-scaffold";
export const generatorVersion: string = __GENERATOR_VERSION__;
