/** Process entry of the `allot` command. */
import { main } from './main.js';

const code = await main(process.argv.slice(2));
// Let pending stdout writes drain before exiting (process.exit would cut piped output short).
process.exitCode = code;
