/** `allot budget ...` commands. */
import type { Command } from 'commander';

/** Registers the `budget` commands on the program. */
export function registerBudget(program: Command): void {
  program.command('budget').description('budget commands (not yet available)');
}
