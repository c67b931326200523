/** `allot explore ...` commands. */
import type { Command } from 'commander';

/** Registers the `explore` commands on the program. */
export function registerExplore(program: Command): void {
  program.command('explore').description('explore commands (not yet available)');
}
