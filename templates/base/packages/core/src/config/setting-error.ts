/**
 * A setting from the environment is malformed or missing; the message names the
 * variable and what it should look like. Entry points print it and exit 1 (a
 * RangeError: the value is outside what the setting accepts).
 */
export class SettingError extends RangeError {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = "SettingError";
  }
}
