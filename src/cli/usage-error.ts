/** A command used the wrong way (a missing file, a bad option value): the CLI prints it with the command's usage line and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
