/**
 * The two faces of the CLI: @clack/prompts with a terminal, plain lines
 * without one (logs, CI). Loading clack lazily keeps unattended runs cheap.
 */
export interface Ui {
  intro(title: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  outro(message: string): void;
  /** Runs `work` with a spinner (or a start line) and returns its result. */
  task<T>(message: string, work: () => Promise<T>): Promise<T>;
}

export const plainUi: Ui = {
  intro: () => {},
  info: (message) => console.log(message),
  warn: (message) => console.error(`warning: ${message}`),
  error: (message) => console.error(`error: ${message}`),
  outro: (message) => console.log(message),
  task: async (message, work) => {
    console.log(`${message}…`);
    return work();
  },
};

export async function terminalUi(): Promise<Ui> {
  const prompts = await import("@clack/prompts");
  return {
    intro: (title) => prompts.intro(title),
    info: (message) => prompts.log.info(message),
    warn: (message) => prompts.log.warn(message),
    error: (message) => prompts.log.error(message),
    outro: (message) => prompts.outro(message),
    task: async (message, work) => {
      const spinner = prompts.spinner();
      spinner.start(message);
      try {
        const result = await work();
        spinner.stop(message);
        return result;
      } catch (error) {
        spinner.error(message);
        throw error;
      }
    },
  };
}
