/** `allot rank ...` commands. */
import type { Command } from 'commander';

/** Registers the `rank` commands on the program. */
export function registerRank(program: Command): void {
  program.command('rank').description('rank commands (not yet available)');
}
