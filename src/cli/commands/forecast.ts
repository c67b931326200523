/** `allot forecast ...` commands. */
import type { Command } from 'commander';

/** Registers the `forecast` commands on the program. */
export function registerForecast(program: Command): void {
  program.command('forecast').description('forecast commands (not yet available)');
}
