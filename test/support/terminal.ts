import { execa } from "execa";

/** Whether util-linux `script` is here to give a command a pseudo-terminal. */
export const hasTerminal = await execa("script", ["--version"], { reject: false }).then(
  (result) => result.exitCode === 0,
  () => false,
);
if (!hasTerminal) console.warn("SKIPPED: terminal tests need util-linux `script` for a pseudo-terminal");

/**
 * Runs a shell command on a real pseudo-terminal, answering each prompt only
 * once its question has appeared, so no keystroke races a render.
 */
export async function runInTerminal(command: string, cwd: string, dialogue: [question: string, keys: string][]) {
  const { CI: _ci, ...env } = process.env;
  // A pty starts 0 columns wide; prompts would wrap every character.
  const child = execa("script", ["-qefc", `stty cols 120 rows 40; ${command}`, "/dev/null"], {
    cwd,
    env,
    extendEnv: false,
    stdin: "pipe",
    reject: false,
    timeout: 90_000,
  });
  let screen = "";
  let step = 0;
  child.stdout?.on("data", (chunk: Buffer) => {
    screen += chunk.toString();
    const next = dialogue[step];
    if (next && screen.includes(next[0])) {
      step++;
      screen = "";
      // Let the prompt finish drawing and start listening before typing.
      setTimeout(() => child.stdin?.write(next[1]), 300);
    }
  });
  const result = await child;
  return { exitCode: result.exitCode, output: String(result.stdout) };
}
