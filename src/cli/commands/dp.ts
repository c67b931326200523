/** `allot dp ...` commands. */
import type { Command } from 'commander';

/** Registers the `dp` commands on the program. */
export function registerDp(program: Command): void {
  program.command('dp').description('dp commands (not yet available)');
}
